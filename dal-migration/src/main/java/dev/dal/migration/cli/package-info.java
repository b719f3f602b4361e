/** The {@code dal} command line: picocli commands over the migration library. */
package dev.dal.migration.cli;
