package dev.dal.migration.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dal.migration.ImportReport;
import java.util.List;
import java.util.function.Function;

/** How the legacy import commands print an {@link ImportReport}, and the exit status it gives. */
final class ImportReports {
    /** Lines of one list the text form shows; {@code --json} has them all. */
    private static final int SHOWN = 20;

    private ImportReports() {}

    /** @return 1 when the input held documents and none was used, else 0 */
    static int status(ImportReport r) {
        return r.leftEverythingBehind() ? DalCli.DIFFERENT : DalCli.OK;
    }

    static void json(ObjectNode json, ImportReport r) {
        json.putObject("users").put("imported", r.usersImported()).put("merged", r.usersMerged());
        json.putObject("conversations").put("imported", r.sessionsImported()).put("merged", r.sessionsMerged());
        json.putObject("messages").put("imported", r.messagesImported()).put("deduplicated", r.messagesDeduplicated());
        json.putObject("memory").put("imported", r.memoryImported()).put("kept", r.memoryKept());
        ArrayNode skipped = json.putArray("skipped");
        r.skipped()
                .forEach(s -> skipped.addObject()
                        .put("source", s.source())
                        .put("document", s.document())
                        .put("reason", s.reason()));
        ArrayNode unused = json.putArray("unused");
        r.unused()
                .forEach(u -> unused.addObject()
                        .put("kind", u.kind())
                        .put("name", u.name())
                        .put("documents", u.documents()));
        ArrayNode warnings = json.putArray("warnings");
        r.warnings().forEach(w -> warnings.addObject().put("path", w.path()).put("problem", w.problem()));
        json.put("leftEverythingBehind", r.leftEverythingBehind());
    }

    static String text(String what, String target, ImportReport r) {
        StringBuilder text = new StringBuilder(String.format(
                "Imported %s into %s:%n  users: %d imported, %d merged"
                        + "%n  conversations: %d imported, %d merged%n  messages: %d imported, %d deduplicated"
                        + "%n  memory: %d imported, %d kept",
                what,
                target,
                r.usersImported(),
                r.usersMerged(),
                r.sessionsImported(),
                r.sessionsMerged(),
                r.messagesImported(),
                r.messagesDeduplicated(),
                r.memoryImported(),
                r.memoryKept()));
        list(text, "skipped", r.skipped(), s -> s.source() + " " + s.document() + ": " + s.reason());
        list(
                text,
                "not used",
                r.unused(),
                u -> u.kind() + " " + u.name() + " (" + u.documents() + " "
                        + (u.kind().equals("table") ? "documents" : "files") + ")");
        list(text, "warnings", r.warnings(), w -> w.path() + ": " + w.problem());
        if (r.leftEverythingBehind()) {
            text.append(String.format("%nNothing of the input was imported: check the layout (--mapping).%n"));
        }
        return text.toString().stripTrailing();
    }

    private static <T> void list(StringBuilder text, String title, List<T> items, Function<T, String> line) {
        text.append(String.format("%n  %s: %d", title, items.size()));
        items.stream().limit(SHOWN).forEach(item -> text.append(String.format("%n    %s", line.apply(item))));
        if (items.size() > SHOWN) {
            text.append(String.format("%n    ... and %d more (--json lists them all)", items.size() - SHOWN));
        }
    }
}
