/** The Neo4j store: {@link dev.dal.neo4j.Neo4jStoreProvider}. */
package dev.dal.neo4j;
