package dev.dal.migration.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dal.api.DataAccess;
import dev.dal.api.bulk.IdRange;
import dev.dal.migration.PartitionPlan;
import dev.dal.migration.StoreUri;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Plans a copy split by id range across workers. */
@Command(
        name = "partition",
        description = {
            "Plan a copy split across N workers by id range: users cut into ranges of equal counts, sessions into"
                    + " ranges of equal messages. Reads the source's users and sessions twice (no messages) and"
                    + " writes the plan to --out; give the same file to every `dal copy --partition I/N --plan FILE`,"
                    + " on any machine, so that each reads only its ranges.",
            "The source is only read."
        },
        footer = {
            "",
            "Example (4 workers):",
            "  dal partition --from postgresql://dal@db/chat --count 4 --out plan.json",
            "  dal copy --from postgresql://dal@db/chat --to mongodb://m:27017/chat --partition 0/4 --plan plan.json",
            "  … the same with --partition 1/4, 2/4 and 3/4, each on a machine of its own"
        })
final class PartitionCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--from", required = true, paramLabel = "STORE", description = "Store to be copied.")
    String from;

    @Option(names = "--count", required = true, paramLabel = "N", description = "How many workers.")
    int count;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Where the plan is written (0600).")
    Path out;

    @Option(names = "--batch", paramLabel = "N", description = "Records per scan (default MIGRATION_BATCH_SIZE).")
    Integer batch;

    @Override
    public Integer call() {
        StoreUri source = CommonOptions.store(from);
        PartitionPlan plan;
        try (DataAccess src = Stores.openForReading(source, "source", "partition")) {
            plan = PartitionPlan.compute(src, count, CommonOptions.batchSize(batch));
        }
        plan.save(out);
        ObjectNode json = JsonNodeFactory.instance
                .objectNode()
                .put("from", source.redacted())
                .put("count", plan.count())
                .put("plan", out.toString())
                .put("fingerprint", plan.fingerprint());
        ArrayNode parts = json.putArray("partitions");
        StringBuilder text = new StringBuilder("Planned " + plan.count() + " partition(s) of " + source + " in " + out
                + " (" + plan.fingerprint() + "):");
        for (int i = 0; i < plan.count(); i++) {
            Optional<IdRange> users = plan.users(i);
            Optional<IdRange> sessions = plan.sessions(i);
            parts.addObject()
                    .put("index", i)
                    .put("users", users.map(IdRange::toString).orElse(null))
                    .put("sessions", sessions.map(IdRange::toString).orElse(null));
            text.append(String.format(
                    "%n  %d/%d  users %s  sessions %s",
                    i,
                    plan.count(),
                    users.map(IdRange::toString).orElse("none"),
                    sessions.map(IdRange::toString).orElse("none")));
        }
        common.print(json, text.toString());
        return DalCli.OK;
    }
}
