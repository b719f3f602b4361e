/** The PostgreSQL store: {@link dev.dal.postgres.PostgresStoreProvider}. */
package dev.dal.postgres;
