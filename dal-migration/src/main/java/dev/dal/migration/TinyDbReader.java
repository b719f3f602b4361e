package dev.dal.migration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dal.api.JsonValues;
import dev.dal.api.ValidationException;
import dev.dal.migration.internal.ImportPlan;
import dev.dal.migration.internal.LegacyDoc;
import dev.dal.migration.internal.MappingCommon;
import dev.dal.migration.internal.MessageReader;
import dev.dal.migration.internal.RecordLimits;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Reads a TinyDB file's JSON into an {@link ImportPlan}, checking every document; writes nothing. */
final class TinyDbReader {
    private static final String SOURCE = "tinydb";

    private final TinyDbMapping mapping;
    private final MappingCommon common;
    private final RecordLimits limits;
    private final ImportPlan plan = new ImportPlan();

    TinyDbReader(TinyDbMapping mapping, RecordLimits limits) {
        this.mapping = mapping;
        this.common = mapping.common();
        this.limits = limits;
    }

    ImportPlan read(JsonNode root, String name) {
        if (!root.isObject()) {
            throw new ValidationException(SOURCE, name + " must hold a JSON object of tables; nothing was imported");
        }
        readUsers(root);
        readConversations(root);
        readMessages(root);
        listUnusedTables(root);
        return plan;
    }

    private void readUsers(JsonNode root) {
        String table = mapping.table("users");
        for (LegacyDoc doc : documents(root, table)) {
            Optional<String> username = doc.text(f("users", "username")).filter(s -> !s.isBlank());
            if (username.isEmpty()) {
                plan.skip(table, doc.document(), "no username");
                continue;
            }
            String folded = fold(username.get());
            Optional<String> problem = RecordLimits.text("username", folded, RecordLimits.MAX_TEXT);
            if (problem.isPresent()) {
                plan.skip(table, doc.document(), problem.get());
                continue;
            }
            if (plan.users.containsKey(folded)) {
                plan.usersMergedInInput++;
                continue;
            }
            ObjectNode profile = JsonValues.emptyObject();
            ObjectNode legacy = doc.legacy(
                    Set.of(
                            f("users", "username"),
                            f("users", "email"),
                            f("users", "name"),
                            f("users", "created_at"),
                            f("users", "updated_at")),
                    common.secrets());
            String name = RecordLimits.fit(doc, f("users", "name"), RecordLimits.MAX_TEXT, legacy);
            String email = RecordLimits.fit(doc, f("users", "email"), RecordLimits.MAX_TEXT, legacy);
            if (!legacy.isEmpty()) {
                profile.set("legacy", legacy);
            }
            Optional<String> unstorable = limits.json("profile", profile);
            if (unstorable.isPresent()) {
                plan.skip(table, doc.document(), unstorable.get());
                continue;
            }
            plan.users.put(
                    folded,
                    new ImportPlan.User(
                            folded,
                            name != null ? name : username.get().trim(),
                            email,
                            time(doc, "users", "created_at"),
                            time(doc, "users", "updated_at"),
                            null,
                            profile,
                            null));
        }
    }

    private void readConversations(JsonNode root) {
        String table = mapping.table("conversations");
        String embedded = f("conversations", "messages");
        MessageReader messages = messageReader(Set.of());
        for (LegacyDoc doc : documents(root, table)) {
            Optional<String> chatId = doc.scalar(f("conversations", "conversation_id"));
            Optional<String> problem = chatIdProblem(chatId);
            if (problem.isPresent()) {
                plan.skip(table, doc.document(), problem.get());
                continue;
            }
            if (plan.sessions.containsKey(chatId.get())) {
                plan.skip(
                        table,
                        doc.document(),
                        "conversation id " + chatId.get() + " appears twice; the first document is kept");
                continue;
            }
            ObjectNode metadata = JsonValues.emptyObject();
            ObjectNode legacy = doc.legacy(
                    Set.of(
                            f("conversations", "conversation_id"),
                            f("conversations", "username"),
                            f("conversations", "title"),
                            f("conversations", "created_at"),
                            f("conversations", "updated_at"),
                            embedded),
                    common.secrets());
            String title = RecordLimits.fit(doc, f("conversations", "title"), RecordLimits.MAX_TEXT, legacy);
            if (!legacy.isEmpty()) {
                metadata.set("legacy", legacy);
            }
            Optional<String> unstorable = limits.json("metadata", metadata);
            if (unstorable.isPresent()) {
                plan.skip(table, doc.document(), unstorable.get());
                continue;
            }
            ImportPlan.Session session = new ImportPlan.Session(
                    chatId.get(),
                    owner(doc),
                    title,
                    null,
                    time(doc, "conversations", "created_at"),
                    time(doc, "conversations", "updated_at"),
                    metadata,
                    new ArrayList<>());
            embeddedMessages(doc, embedded, messages).forEach(session.messages()::add);
            plan.sessions.put(session.chatId(), session);
        }
    }

    /** Messages of the {@code messages} table: one per document, or a list of them in {@code messages}. */
    private void readMessages(JsonNode root) {
        String table = mapping.table("messages");
        String chatField = f("messages", "conversation_id");
        String embedded = f("messages", "messages");
        MessageReader messages = messageReader(Set.of(chatField, embedded));
        for (LegacyDoc doc : documents(root, table)) {
            Optional<String> chatId = doc.scalar(chatField);
            List<ImportPlan.Message> found = doc.get(embedded) != null
                    ? embeddedMessages(doc, embedded, messages)
                    : messages.read(doc, plan).stream().toList();
            if (found.isEmpty()) {
                continue;
            }
            Optional<String> problem = chatIdProblem(chatId);
            if (problem.isPresent()) {
                found.forEach(m -> plan.skip(m.source(), m.document(), problem.get()));
                continue;
            }
            ImportPlan.Session session = plan.sessions.get(chatId.get());
            (session != null ? session.messages() : plan.orphans.computeIfAbsent(chatId.get(), k -> new ArrayList<>()))
                    .addAll(found);
        }
    }

    private List<ImportPlan.Message> embeddedMessages(LegacyDoc doc, String field, MessageReader reader) {
        Optional<ArrayNode> list = doc.list(field, "messages");
        List<ImportPlan.Message> found = new ArrayList<>();
        if (list.isPresent()) {
            for (int i = 0; i < list.get().size(); i++) {
                LegacyDoc message = doc.child(list.get().get(i), doc.document() + "[" + i + "]");
                reader.read(message, plan).ifPresent(found::add);
            }
        }
        return found;
    }

    private MessageReader messageReader(Set<String> alsoRead) {
        return new MessageReader(
                new MessageReader.Fields(
                        f("messages", "role"),
                        f("messages", "content"),
                        f("messages", "timestamp"),
                        null,
                        null,
                        null,
                        alsoRead),
                common::role,
                common.time(),
                common.secrets(),
                limits);
    }

    /** @return the conversation's case-folded username, or {@code null} (none, or one no store can key by) */
    private String owner(LegacyDoc doc) {
        Optional<String> owner = doc.text(f("conversations", "username"))
                .filter(s -> !s.isBlank())
                .map(TinyDbReader::fold);
        if (owner.isPresent()
                && RecordLimits.text("username", owner.get(), RecordLimits.MAX_TEXT)
                        .isPresent()) {
            plan.warnings.add(new ImportReport.Warning(
                    mapping.table("conversations") + " " + doc.document(),
                    "the username is unusable ("
                            + RecordLimits.text("username", owner.get(), RecordLimits.MAX_TEXT)
                                    .get() + "); the conversation is imported without an owner"));
            return null;
        }
        return owner.orElse(null);
    }

    private void listUnusedTables(JsonNode root) {
        Set<String> used = Set.of(mapping.table("users"), mapping.table("conversations"), mapping.table("messages"));
        for (Map.Entry<String, JsonNode> table : root.properties()) {
            if (!used.contains(table.getKey())) {
                plan.unused.add(new ImportReport.Unused(
                        "table", table.getKey(), table.getValue().size()));
            }
        }
    }

    private static Optional<String> chatIdProblem(Optional<String> chatId) {
        return chatId.isEmpty()
                ? Optional.of("no conversation id")
                : RecordLimits.text("conversation id", chatId.get(), RecordLimits.MAX_TEXT);
    }

    /** @return the table's documents in document-id order (numeric ids numerically) */
    private List<LegacyDoc> documents(JsonNode root, String table) {
        JsonNode docs = root.get(table);
        if (docs == null || docs.isNull()) {
            return List.of();
        }
        if (!docs.isObject()) {
            throw new ValidationException(
                    SOURCE, "table '" + table + "' must be an object of documents by id;" + " nothing was imported");
        }
        List<Map.Entry<String, JsonNode>> entries = new ArrayList<>(docs.properties());
        entries.sort(Comparator.comparing((Map.Entry<String, JsonNode> e) -> numeric(e.getKey()))
                .thenComparing(Map.Entry::getKey));
        List<LegacyDoc> result = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : entries) {
            LegacyDoc doc = new LegacyDoc(e.getValue(), SOURCE, table, "table '" + table + "'", e.getKey(), e.getKey());
            if (!e.getValue().isObject()) {
                throw doc.malformed(null, "is not a JSON object");
            }
            result.add(doc);
        }
        return result;
    }

    private Instant time(LegacyDoc doc, String table, String field) {
        return doc.time(f(table, field), common.time()).orElse(null);
    }

    private String f(String table, String logical) {
        return mapping.field(table, logical);
    }

    private static long numeric(String id) {
        try {
            return Long.parseLong(id);
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }

    /** Python's {@code str.casefold()} for the names people type: Unicode lower case of the upper case. */
    static String fold(String name) {
        return name.trim().toUpperCase(Locale.ROOT).toLowerCase(Locale.ROOT);
    }
}
