package dev.dal.migration.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dal.api.DataAccess;
import dev.dal.api.JsonValues;
import dev.dal.api.ValidationException;
import dev.dal.migration.Difference;
import dev.dal.migration.DigestFigures;
import dev.dal.migration.KindCounts;
import dev.dal.migration.RecordType;
import dev.dal.migration.StoreUri;
import dev.dal.migration.StoreVerifier;
import dev.dal.migration.VerifyMode;
import dev.dal.migration.VerifyReport;
import dev.dal.migration.internal.PrivateFiles;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Compares two stores record by record. */
@Command(
        name = "verify",
        description = {
            "Compare two stores: counts per kind and a content hash per record; shows the first --max-diffs"
                    + " missing, extra or differing records and --report FILE lists all of them."
                    + " Exit status 1 on any difference, and when both stores are empty (nothing was compared)"
                    + " unless --allow-empty. --since INSTANT checks only what changed since then.",
            "Read-only on both sides: no schema is changed (a store whose schema is missing or older is refused,"
                    + " exit status 3), and a file: store that does not exist is an error (exit status 3)."
        })
final class VerifyCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--from", required = true, paramLabel = "STORE", description = "Reference store URI.")
    String from;

    @Option(names = "--to", required = true, paramLabel = "STORE", description = "Store to check.")
    String to;

    @Option(names = "--batch", paramLabel = "N", description = "Records per scan (default MIGRATION_BATCH_SIZE).")
    Integer batch;

    @Option(
            names = "--report",
            paramLabel = "FILE",
            description = "Write every difference to FILE as NDJSON: a header line (with the --since instant when"
                    + " given), one line per difference, and a last line with the counts.")
    Path report;

    @Option(
            names = "--max-diffs",
            paramLabel = "N",
            description = "Differences shown on the terminal (and in --json output), default ${DEFAULT-VALUE}.")
    int maxDiffs = DEFAULT_MAX_DIFFS;

    @Option(
            names = "--allow-empty",
            description = "Succeed when both stores are empty (with --since: when no record changed since"
                    + " INSTANT); without it that is exit status 1, since nothing was compared (a wrong store URI"
                    + " looks just like that).")
    boolean allowEmpty;

    @Option(
            names = "--mode",
            paramLabel = "MODE",
            description = "digest (default): compare messages by range digests both stores compute inside, reading"
                    + " only ranges that differ (record by record where a store cannot); full: read and compare"
                    + " every record. Both report the same differences.")
    String mode = "digest";

    @Option(
            names = "--since",
            paramLabel = "INSTANT",
            description = "Check only what changed at or after INSTANT (ISO-8601, e.g. 2026-12-01T10:00:00Z), the"
                    + " cut-over check after dual-write: users, sessions and memory whose updatedAt is at or after"
                    + " it on either side, and every message of the sessions whose updatedAt or lastMessageAt is."
                    + " Records deleted from one store that changed before INSTANT in the other are not seen (a"
                    + " verify without --since finds them). No record changed since INSTANT is exit status 1, as"
                    + " nothing was compared, unless --allow-empty.")
    String since;

    /** How many differences the terminal shows unless {@code --max-diffs} says otherwise. */
    static final int DEFAULT_MAX_DIFFS = 100;

    @Override
    public Integer call() throws IOException {
        if (maxDiffs < 0) {
            throw new ValidationException("--max-diffs", "must be 0 or more");
        }
        VerifyMode verifyMode = switch (mode == null ? "" : mode.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "digest" -> VerifyMode.DIGEST;
            case "full" -> VerifyMode.FULL;
            default -> throw new ValidationException("--mode", "must be digest or full");
        };
        Instant changedSince = since == null ? null : instant(since);
        StoreUri source = CommonOptions.store(from);
        StoreUri target = CommonOptions.store(to);
        try (DataAccess src = Stores.openForReading(source, "source", "verify");
                DataAccess dst = Stores.openForReading(target, "target", "verify");
                DifferenceFile file =
                        report == null ? null : new DifferenceFile(report, source, target, changedSince)) {
            long[] shown = {0};
            StoreVerifier verifier = new StoreVerifier(src, dst, CommonOptions.batchSize(batch), maxDiffs, verifyMode);
            if (changedSince != null) {
                verifier = verifier.since(changedSince);
            }
            VerifyReport result = verifier.verify(d -> {
                if (!common.json && shown[0] < maxDiffs) {
                    common.out.println("  " + d);
                    shown[0]++;
                }
                if (file != null) {
                    file.add(difference(d));
                }
            });
            ObjectNode json = summary(source, target, result);
            if (changedSince != null) {
                json.put("since", changedSince.toString());
            }
            boolean empty = result.counts().values().stream().allMatch(c -> c.source() == 0 && c.target() == 0);
            json.put("empty", empty);
            StringBuilder text = new StringBuilder();
            long notShown = result.differenceCount() - shown[0];
            if (!common.json && notShown > 0) {
                text.append(String.format(
                        "  … and %,d more difference(s) not shown (--max-diffs %d)%s%n",
                        notShown,
                        maxDiffs,
                        file == null ? "; --report FILE lists every one" : "; all are in " + report));
            }
            text.append(!result.equal() ? "DIFFERENT: " : empty && !allowEmpty ? "NOTHING COMPARED: " : "Equal: ");
            text.append(source).append(" vs ").append(target);
            if (changedSince != null) {
                text.append(", records changed since ").append(changedSince);
            }
            for (RecordType kind : RecordType.values()) {
                KindCounts c = result.counts().get(kind);
                text.append(String.format(
                        "%n  %-9s source %,d  target %,d  matching %,d  missing %,d  extra %,d" + "  differing %,d",
                        kind.wireName(), c.source(), c.target(), c.matching(), c.missing(), c.extra(), c.differing()));
            }
            text.append(method(result.digests()));
            if (empty) {
                text.append(String.format(
                        "%n%s: nothing was compared%s",
                        changedSince == null
                                ? "Both stores are empty"
                                : "No record changed since " + changedSince + " in either store",
                        allowEmpty ? " (--allow-empty)" : "; exit status 1 (--allow-empty accepts it)"));
            }
            if (!common.json) {
                common.out.println(text);
            } else {
                ArrayNode list = json.putArray("differences");
                result.differences().forEach(d -> list.add(difference(d)));
                json.put("truncated", result.truncated());
                common.print(json, "");
            }
            if (file != null) {
                file.complete(json.get("counts"), result.equal());
            }
            return result.equal() && (!empty || allowEmpty) ? DalCli.OK : DalCli.DIFFERENT;
        }
    }

    private static Instant instant(String text) {
        try {
            return Instant.parse(text.trim());
        } catch (DateTimeParseException e) {
            throw new ValidationException(
                    "--since", "must be an ISO-8601 instant with its offset, e.g. 2026-12-01T10:00:00Z");
        }
    }

    /**
     * The {@code --report} file, NDJSON: a header line, every difference on a line of its own as it is found, and a
     * last line with the counts. Written to {@code FILE.partial} (0600) and renamed into place only once the verify
     * completed, so a {@code FILE} that exists is a whole report; memory stays flat however many differ.
     */
    private static final class DifferenceFile implements AutoCloseable {
        private final Path target;
        private final Path partial;
        private final BufferedWriter out;

        DifferenceFile(Path target, StoreUri from, StoreUri to, Instant since) throws IOException {
            this.target = target;
            this.partial = target.resolveSibling(target.getFileName() + ".partial");
            this.out = new BufferedWriter(
                    new OutputStreamWriter(PrivateFiles.newOutputStream(partial), StandardCharsets.UTF_8));
            ObjectNode header = JsonNodeFactory.instance
                    .objectNode()
                    .put("format", "dal-verify-report")
                    .put("version", 1)
                    .put("from", from.redacted())
                    .put("to", to.redacted());
            if (since != null) {
                header.put("since", since.toString());
            }
            line(header);
        }

        void add(ObjectNode difference) {
            try {
                line(difference);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        void complete(JsonNode counts, boolean equal) throws IOException {
            ObjectNode end = JsonNodeFactory.instance.objectNode().put("end", true);
            end.set("counts", counts);
            end.put("equal", equal);
            line(end);
            out.close();
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING);
        }

        private void line(JsonNode node) throws IOException {
            out.write(JsonValues.write(node));
            out.write('\n');
        }

        @Override
        public void close() throws IOException {
            out.close(); // a second close after complete() does nothing
        }
    }

    private static String method(DigestFigures digests) {
        if (digests == null) {
            return String.format("%n  messages compared record by record");
        }
        return String.format(
                "%n  messages compared by range digests: %,d range(s) digested, %,d read record by record"
                        + " (%,d message(s) read)",
                digests.rangesDigested(), digests.rangesRead(), digests.messagesRead());
    }

    static ObjectNode summary(StoreUri source, StoreUri target, VerifyReport result) {
        ObjectNode json = JsonNodeFactory.instance
                .objectNode()
                .put("from", source.redacted())
                .put("to", target.redacted())
                .put("equal", result.equal());
        DigestFigures digests = result.digests();
        ObjectNode method = json.putObject("messages").put("method", digests == null ? "records" : "digests");
        if (digests != null) {
            method.put("rangesDigested", digests.rangesDigested())
                    .put("rangesRead", digests.rangesRead())
                    .put("messagesRead", digests.messagesRead());
        }
        ObjectNode counts = json.putObject("counts");
        for (RecordType kind : RecordType.values()) {
            KindCounts c = result.counts().get(kind);
            counts.putObject(kind.wireName())
                    .put("source", c.source())
                    .put("target", c.target())
                    .put("matching", c.matching())
                    .put("missing", c.missing())
                    .put("extra", c.extra())
                    .put("differing", c.differing());
        }
        return json;
    }

    static ObjectNode difference(Difference d) {
        ObjectNode node = JsonNodeFactory.instance
                .objectNode()
                .put("kind", d.kind().wireName())
                .put("type", d.type().name().toLowerCase(java.util.Locale.ROOT))
                .put("id", d.id());
        ArrayNode fields = node.putArray("fields");
        d.fields().forEach(fields::add);
        node.put("sourceHash", d.sourceHash()).put("targetHash", d.targetHash());
        return node;
    }
}
