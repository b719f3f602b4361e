package dev.dal.migration.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dal.api.DataAccess;
import dev.dal.migration.RecordType;
import dev.dal.migration.StoreRepairer;
import dev.dal.migration.StoreUri;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Copies the differences verify finds. */
@Command(
        name = "repair",
        description = {
            "Copy exactly the records verify finds missing or different in the"
                    + " target; records only in the target are listed, not deleted.",
            "The source is only read (its schema is never changed; a file: source must exist). The target is"
                    + " migrated when it has no schema yet; one with an older schema is refused (exit status 3) unless"
                    + " --migrate is given."
        })
final class RepairCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--from", required = true, paramLabel = "STORE", description = "Reference store URI.")
    String from;

    @Option(names = "--to", required = true, paramLabel = "STORE", description = "Store to repair.")
    String to;

    @Option(
            names = "--migrate",
            description = "Bring the target's schema up to date when it is older than"
                    + " this tool's (without it such a target is refused). A target with no schema at all is migrated"
                    + " either way; the source's schema is never changed.")
    boolean migrate;

    @Option(names = "--batch", paramLabel = "N", description = "Records per batch (default MIGRATION_BATCH_SIZE).")
    Integer batch;

    @Override
    public Integer call() {
        StoreUri source = CommonOptions.store(from);
        StoreUri target = CommonOptions.store(to);
        try (DataAccess src = Stores.openForReading(source, "source", "repair");
                DataAccess dst = Stores.openForWriting(target, migrate)) {
            StoreRepairer.Result result = new StoreRepairer(src, dst, CommonOptions.batchSize(batch)).repair(d -> {
                if (!common.json) {
                    common.out.println("  " + d);
                }
            });
            ObjectNode json = VerifyCommand.summary(source, target, result.found());
            ObjectNode copied = json.putObject("copied");
            StringBuilder text = new StringBuilder("Repaired " + target + " from " + source + ": copied");
            for (RecordType kind : RecordType.values()) {
                copied.put(kind.wireName(), result.copied().get(kind));
                text.append(" ").append(result.copied().get(kind)).append(" ").append(kind.wireName());
            }
            long extra = result.found().counts().values().stream()
                    .mapToLong(c -> c.extra())
                    .sum();
            if (extra > 0) {
                text.append("; ").append(extra).append(" record(s) only in the target were left in place");
            }
            common.print(json, text.toString());
        }
        return DalCli.OK;
    }
}
