/** The Neo4j store's machinery: settings, driver, Cypher, schema migrations, error translation. Not API. */
package dev.dal.neo4j.internal;
