package dev.dal.migration.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dal.api.DataAccess;
import dev.dal.api.ValidationException;
import dev.dal.migration.CopyResult;
import dev.dal.migration.Partition;
import dev.dal.migration.PartitionPlan;
import dev.dal.migration.RecordType;
import dev.dal.migration.StoreCopier;
import dev.dal.migration.StoreUri;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Copies every record from one store to another, resumably. */
@Command(
        name = "copy",
        description = {
            "Copy every user, session, message and memory entry; resumable from a"
                    + " checkpoint after each batch, idempotent, splittable into partitions.",
            "The source is only read: its schema is never changed, and a file: source that does not exist is an"
                    + " error (exit status 3), never an empty copy. The target is migrated when it has no schema yet"
                    + " (a new, empty database); a target with an older schema is refused (exit status 3) unless"
                    + " --migrate is given."
        },
        footer = {
            "",
            "Examples:",
            "  dal copy --from file:./data --to postgresql://dal@db:5432/chat",
            "  dal copy --migrate --from file:./data --to mongodb://db:27017/chat",
            "  dal copy --partition 1/4 --from file:./data --to neo4j://neo4j@graph:7687"
        })
final class CopyCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--from", required = true, paramLabel = "STORE", description = "Source store URI.")
    String from;

    @Option(names = "--to", required = true, paramLabel = "STORE", description = "Target store URI.")
    String to;

    @Option(
            names = "--batch",
            paramLabel = "N",
            description = "Records per batch (default MIGRATION_BATCH_SIZE, 1000).")
    Integer batch;

    @Option(
            names = "--partition",
            paramLabel = "I/N",
            description = "Copy only partition I of N: of the --plan's id ranges, reading only them; without a plan,"
                    + " by id hash, reading the whole source.")
    String partition;

    @Option(
            names = "--plan",
            paramLabel = "FILE",
            description = "The partition plan `dal partition` wrote; the same file for every worker.")
    Path plan;

    @Option(
            names = "--migrate",
            description = "Bring the target's schema up to date when it is older than"
                    + " this tool's (without it such a target is refused). A target with no schema at all is migrated"
                    + " either way; the source's schema is never changed.")
    boolean migrate;

    @Option(
            names = "--checkpoint-dir",
            paramLabel = "DIR",
            defaultValue = ".dal-checkpoints",
            description = "Where checkpoints are kept (default: ${DEFAULT-VALUE}).")
    Path checkpointDir;

    @Override
    public Integer call() {
        StoreUri source = CommonOptions.store(from);
        StoreUri target = CommonOptions.store(to);
        Partition slice = partition == null ? Partition.ALL : Partition.parse(partition);
        int size = CommonOptions.batchSize(batch);
        PartitionPlan ranges = plan == null ? null : PartitionPlan.load(plan);
        if (ranges != null && partition == null) {
            throw new ValidationException("--partition", "is required with --plan");
        }
        String key = StoreCopier.checkpointKey(source.redacted(), target.redacted(), slice)
                + (ranges == null ? "" : " plan " + ranges.fingerprint());
        Path checkpoint = StoreCopier.checkpointFile(checkpointDir, key);
        try (DataAccess src = Stores.openForReading(source, "source", "copy");
                DataAccess dst = Stores.openForWriting(target, migrate)) {
            boolean terminal = System.console() != null && !common.json;
            long expected = 0;
            if (terminal && ranges == null) {
                // A counting pass costs one read of the source; it buys the bar its total and ETA.
                expected = StoreCopier.count(src, size).entrySet().stream()
                        .filter(e -> e.getKey() == RecordType.USERS || slice.count() == 1)
                        .mapToLong(java.util.Map.Entry::getValue)
                        .sum();
            }
            Progress progress = new Progress(terminal ? System.err : null, expected, 0);
            StoreCopier copier = new StoreCopier(src, dst, size, slice, checkpoint, key, progress);
            CopyResult result = (ranges == null ? copier : copier.withPlan(ranges)).copy();
            progress.finish();
            ObjectNode json = JsonNodeFactory.instance
                    .objectNode()
                    .put("from", source.redacted())
                    .put("to", target.redacted())
                    .put("partition", slice.toString())
                    .put("resumed", result.resumed())
                    .put("elapsedMillis", result.elapsed().toMillis());
            ObjectNode counts = json.putObject("written");
            StringBuilder text = new StringBuilder("Copied " + source + " -> " + target
                    + (slice.count() > 1 ? " partition " + slice : "") + (result.resumed() ? " (resumed)" : "") + ":");
            for (RecordType kind : RecordType.values()) {
                counts.put(kind.wireName(), result.written().get(kind));
                text.append(" ").append(result.written().get(kind)).append(" ").append(kind.wireName());
            }
            common.print(json, text.toString());
        }
        return DalCli.OK;
    }
}
