/** The PostgreSQL store's machinery: settings, pool, schema, statements, error translation. Not API. */
package dev.dal.postgres.internal;
