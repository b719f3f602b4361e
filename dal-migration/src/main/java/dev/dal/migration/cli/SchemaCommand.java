package dev.dal.migration.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dal.api.DataAccessFactory;
import dev.dal.api.ValidationException;
import dev.dal.api.spi.SchemaChange;
import dev.dal.api.spi.SchemaMigrator;
import dev.dal.migration.StoreUri;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The store's own schema migrations: status, migrate, rollback. */
@Command(
        name = "schema",
        description = "Show, apply or roll back the store's schema migrations"
                + " (Liquibase for PostgreSQL, the MongoDB and Neo4j runners, the file store's layout version).")
final class SchemaCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Parameters(index = "0", paramLabel = "ACTION", description = "status, migrate or rollback")
    String action;

    @Parameters(
            index = "1",
            arity = "0..1",
            paramLabel = "STORE",
            description = "Store URI; default: the environment's store.")
    String store;

    @Option(
            names = "--to",
            paramLabel = "VERSION",
            description = "rollback: the version to go back to (it stays"
                    + " applied); default: undo only the newest change.")
    String to;

    @Override
    public Integer call() {
        StoreUri uri = CommonOptions.store(store);
        try (SchemaMigrator migrator =
                DataAccessFactory.provider(uri.config().storageType()).schemaMigrator(uri.config())) {
            List<SchemaChange> changes = switch (action) {
                case "status" -> migrator.status();
                case "migrate" -> migrator.migrate();
                case "rollback" -> migrator.rollback(to);
                default ->
                    throw new ValidationException(
                            "action", "must be status, migrate or rollback, got '" + action + "'");
            };
            ObjectNode result = JsonNodeFactory.instance
                    .objectNode()
                    .put("store", uri.redacted())
                    .put("action", action);
            ArrayNode list = result.putArray("changes");
            StringBuilder text = new StringBuilder(uri + ": "
                    + switch (action) {
                        case "status" -> changes.isEmpty() ? "no versioned schema" : "schema status";
                        case "migrate" ->
                            changes.isEmpty() ? "schema already current" : "applied " + changes.size() + " change(s)";
                        default ->
                            changes.isEmpty() ? "nothing to roll back" : "rolled back " + changes.size() + " change(s)";
                    });
            for (SchemaChange c : changes) {
                list.addObject()
                        .put("version", c.version())
                        .put("description", c.description())
                        .put("applied", c.applied())
                        .put(
                                "appliedAt",
                                c.appliedAt() == null ? null : c.appliedAt().toString())
                        .put("checksum", c.checksum());
                text.append(String.format(
                        "%n  %-8s %-24s %-32s %s",
                        c.applied() ? "applied" : "pending",
                        c.version(),
                        c.description(),
                        c.checksum() == null ? "" : c.checksum()));
            }
            common.print(result, text.toString());
        }
        return DalCli.OK;
    }
}
