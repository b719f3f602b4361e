package dev.dal.migration.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.dal.api.DataAccess;
import dev.dal.migration.Archive;
import dev.dal.migration.RecordType;
import dev.dal.migration.StoreUri;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Writes a store to an NDJSON archive. */
@Command(
        name = "export",
        description = {
            "Write every record of a store to a portable NDJSON archive" + " (gzip when FILE ends in .gz).",
            "Read-only: the store's schema is never changed (one that is missing or older is refused, exit status 3),"
                    + " and a file: store that does not exist is an error, never an empty archive."
        })
final class ExportCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--from", paramLabel = "STORE", description = "Store URI; default: the environment's store.")
    String from;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "The archive to write.")
    Path out;

    @Option(names = "--batch", paramLabel = "N", description = "Records per scan (default MIGRATION_BATCH_SIZE).")
    Integer batch;

    @Override
    public Integer call() {
        StoreUri source = CommonOptions.store(from);
        try (DataAccess store = Stores.openForReading(source, "source", "export")) {
            Map<RecordType, Long> counts =
                    Archive.export(store, out, source.redacted(), CommonOptions.batchSize(batch));
            common.print(
                    ImportCommand.countsJson(
                            JsonNodeFactory.instance
                                    .objectNode()
                                    .put("from", source.redacted())
                                    .put("out", out.toString()),
                            counts),
                    "Exported " + source + " to " + out + ": " + ImportCommand.countsText(counts));
        }
        return DalCli.OK;
    }
}
