package dev.dal.migration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dal.api.JsonValues;
import dev.dal.api.ValidationException;
import dev.dal.migration.internal.ImportPlan;
import dev.dal.migration.internal.LegacyDoc;
import dev.dal.migration.internal.LegacyFiles;
import dev.dal.migration.internal.MappingCommon;
import dev.dal.migration.internal.MessageReader;
import dev.dal.migration.internal.RecordLimits;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/** Reads a directory of legacy JSON files into an {@link ImportPlan}, checking every file; writes nothing. */
final class JsonDirReader {
    private static final String SOURCE = "json-dir";
    private static final String S = JsonDirMapping.SESSIONS;
    private static final String U = JsonDirMapping.USERS;

    private final JsonDirMapping mapping;
    private final MappingCommon common;
    private final MessageReader messages;
    private final RecordLimits limits;
    private final ImportPlan plan = new ImportPlan();
    private Path root;

    JsonDirReader(JsonDirMapping mapping, RecordLimits limits) {
        this.mapping = mapping;
        this.limits = limits;
        this.common = mapping.common();
        String m = JsonDirMapping.MESSAGES;
        this.messages = new MessageReader(
                new MessageReader.Fields(
                        mapping.field(m, "role"),
                        mapping.field(m, "content"),
                        mapping.field(m, "timestamp"),
                        mapping.field(m, "metadata"),
                        mapping.field(m, "token_count"),
                        mapping.field(m, "abuse_flagged"),
                        Set.of()),
                common::role,
                common.time(),
                common.secrets(),
                limits);
    }

    ImportPlan read(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new ValidationException(
                    SOURCE,
                    (Files.exists(dir) ? dir + " is not a directory" : "no directory " + dir)
                            + "; nothing was imported");
        }
        root = dir;
        warnIfExposed(dir);
        Optional<String> sessions = mapping.directory(S);
        Optional<String> users = mapping.directory(U);
        for (Path entry : list(dir)) {
            String name = entry.getFileName().toString();
            if (Files.isDirectory(entry) && sessions.filter(name::equals).isPresent()) {
                readDirectory(entry, this::readSession);
            } else if (Files.isDirectory(entry) && users.filter(name::equals).isPresent()) {
                readDirectory(entry, this::readUser);
            } else {
                unused(entry);
            }
        }
        return plan;
    }

    /** Reads one file's document into the plan. */
    private interface DocumentReader {
        void read(LegacyDoc doc, String path);
    }

    private void readDirectory(Path dir, DocumentReader reader) {
        warnIfExposed(dir);
        for (Path file : list(dir)) {
            String name = file.getFileName().toString();
            if (!Files.isRegularFile(file) || !name.endsWith(".json") || name.startsWith(".")) {
                unused(file);
                continue;
            }
            warnIfExposed(file);
            String path = relative(file);
            JsonNode json = LegacyFiles.readJson(file, SOURCE, "file " + path);
            String key = name.substring(0, name.length() - ".json".length());
            reader.read(new LegacyDoc(json, SOURCE, path, "file " + path, key, key), path);
        }
    }

    private void readSession(LegacyDoc file, String path) {
        boolean bare = file.node().isArray(); // the file is the list of messages alone
        LegacyDoc doc = bare ? asSession(file) : file;
        if (!doc.node().isObject()) {
            throw doc.malformed(null, "must be a JSON object (a session) or a list (its messages)");
        }
        String chatId = doc.scalar(f(S, "chat_id")).orElse(doc.document());
        Optional<String> problem = keyProblem("chat id", chatId);
        if (problem.isPresent()) {
            plan.skip(path, doc.document(), problem.get());
            return;
        }
        if (plan.sessions.containsKey(chatId)) {
            plan.skip(path, doc.document(), "chat id " + chatId + " appears in two files; the first is kept");
            return;
        }
        ObjectNode metadata = doc.object(f(S, "metadata"))
                .map(o -> (ObjectNode) common.secrets().strip(o))
                .orElse(JsonValues.emptyObject());
        ObjectNode legacy = doc.legacy(
                Set.of(
                        f(S, "chat_id"),
                        f(S, "user_id"),
                        f(S, "title"),
                        f(S, "profile"),
                        f(S, "metadata"),
                        f(S, "created_at"),
                        f(S, "updated_at"),
                        mapping.messagesField()),
                common.secrets());
        String title = RecordLimits.fit(doc, f(S, "title"), RecordLimits.MAX_TEXT, legacy);
        String profile = RecordLimits.fit(doc, f(S, "profile"), RecordLimits.MAX_PROFILE, legacy);
        if (profile != null && profile.isBlank()) {
            legacy.put(f(S, "profile"), profile);
            profile = null;
        }
        if (!legacy.isEmpty()) {
            metadata.set("legacy", legacy);
        }
        Optional<String> unstorable = limits.json("metadata", metadata);
        if (unstorable.isPresent()) {
            plan.skip(path, doc.document(), unstorable.get());
            return;
        }
        ImportPlan.Session session = new ImportPlan.Session(
                chatId,
                owner(doc, path),
                title,
                profile,
                time(doc, f(S, "created_at")),
                time(doc, f(S, "updated_at")),
                metadata,
                new ArrayList<>());
        Optional<ArrayNode> list =
                bare ? Optional.of((ArrayNode) file.node()) : doc.list(mapping.messagesField(), "messages");
        for (int i = 0; list.isPresent() && i < list.get().size(); i++) {
            messages.read(doc.child(list.get().get(i), mapping.messagesField() + "[" + i + "]"), plan)
                    .ifPresent(session.messages()::add);
        }
        plan.sessions.put(chatId, session);
    }

    /** A session file that is a bare list of messages: a session with no fields, keyed by the file's name. */
    private LegacyDoc asSession(LegacyDoc file) {
        return new LegacyDoc(
                JsonNodeFactory.instance.objectNode(),
                SOURCE,
                file.origin(),
                file.place(),
                file.document(),
                file.document());
    }

    private String owner(LegacyDoc doc, String path) {
        Optional<String> owner = doc.scalar(f(S, "user_id"));
        if (owner.isPresent() && keyProblem("user id", owner.get()).isPresent()) {
            plan.warnings.add(new ImportReport.Warning(
                    path,
                    "the owner's user id is unusable ("
                            + keyProblem("user id", owner.get()).get()
                            + "); the session is imported without an owner"));
            return null;
        }
        return owner.orElse(null);
    }

    private void readUser(LegacyDoc doc, String path) {
        if (!doc.node().isObject()) {
            throw doc.malformed(null, "must be a JSON object (a user and their memory)");
        }
        String userId = doc.scalar(f(U, "user_id")).orElse(doc.document());
        Optional<String> problem = keyProblem("user id", userId);
        if (problem.isPresent()) {
            plan.skip(path, doc.document(), problem.get());
            return;
        }
        if (plan.users.containsKey(userId)) {
            plan.skip(path, doc.document(), "user id " + userId + " appears in two files; the first is kept");
            return;
        }
        ObjectNode profile = doc.object(f(U, "profile"))
                .map(o -> (ObjectNode) common.secrets().strip(o))
                .orElse(JsonValues.emptyObject());
        ObjectNode preferences = doc.object(f(U, "preferences"))
                .map(o -> (ObjectNode) common.secrets().strip(o))
                .orElse(JsonValues.emptyObject());
        ObjectNode legacy = doc.legacy(
                Set.of(
                        f(U, "user_id"),
                        f(U, "email"),
                        f(U, "name"),
                        f(U, "profile"),
                        f(U, "preferences"),
                        f(U, "memory"),
                        f(U, "created_at"),
                        f(U, "updated_at"),
                        f(U, "last_active_at")),
                common.secrets());
        String email = RecordLimits.fit(doc, f(U, "email"), RecordLimits.MAX_TEXT, legacy);
        String name = RecordLimits.fit(doc, f(U, "name"), RecordLimits.MAX_TEXT, legacy);
        if (!legacy.isEmpty()) {
            profile.set("legacy", legacy);
        }
        Optional<String> unstorable = limits.json("profile", profile).or(() -> limits.json("preferences", preferences));
        if (unstorable.isPresent()) {
            plan.skip(path, doc.document(), unstorable.get());
            return;
        }
        Instant created = time(doc, f(U, "created_at"));
        Instant updated = time(doc, f(U, "updated_at"));
        plan.users.put(
                userId,
                new ImportPlan.User(
                        userId,
                        name,
                        email,
                        created,
                        updated,
                        time(doc, f(U, "last_active_at")),
                        profile,
                        preferences));
        readMemory(doc, path, userId, firstNonNull(updated, created, modified(path)));
    }

    /** {@code {"<type>": {"<key>": value}}}; an entry's time is its file's {@code updated_at} (else the file's). */
    private void readMemory(LegacyDoc doc, String path, String userId, Instant at) {
        Optional<ObjectNode> memory = doc.object(f(U, "memory"));
        if (memory.isEmpty()) {
            return;
        }
        for (Map.Entry<String, JsonNode> type : memory.get().properties()) {
            String where = f(U, "memory") + "." + type.getKey();
            if (!type.getValue().isObject()) {
                throw doc.malformed(where, "must be a JSON object of memory entries by key");
            }
            Optional<String> typeProblem =
                    RecordLimits.text("memory type", type.getKey(), RecordLimits.MAX_MEMORY_TYPE);
            for (Map.Entry<String, JsonNode> entry : type.getValue().properties()) {
                JsonNode value = common.secrets().strip(entry.getValue());
                Optional<String> problem = typeProblem
                        .or(() -> RecordLimits.text("memory key", entry.getKey(), RecordLimits.MAX_TEXT))
                        .or(() -> common.secrets().isSecret(entry.getKey())
                                ? Optional.of("memory key names a secret, which is never copied")
                                : Optional.empty())
                        .or(() -> limits.json("value", value));
                if (problem.isPresent()) {
                    plan.skip(path, where + "." + entry.getKey(), problem.get());
                    continue;
                }
                plan.memory.add(new ImportPlan.Memory(userId, type.getKey(), entry.getKey(), value, at, at));
            }
        }
    }

    private static Optional<String> keyProblem(String what, String key) {
        return RecordLimits.text(what, key, RecordLimits.MAX_TEXT);
    }

    private void unused(Path entry) {
        boolean dir = Files.isDirectory(entry);
        plan.unused.add(
                new ImportReport.Unused(dir ? "directory" : "file", relative(entry), dir ? countFiles(entry) : 1));
    }

    private void warnIfExposed(Path path) {
        LegacyFiles.exposure(path, path.equals(root) ? root.toString() : relative(path))
                .ifPresent(plan.warnings::add);
    }

    private Instant time(LegacyDoc doc, String field) {
        return doc.time(field, common.time()).orElse(null);
    }

    private Instant modified(String path) {
        try {
            return Files.getLastModifiedTime(root.resolve(path)).toInstant();
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the modification time of " + path, e);
        }
    }

    private String relative(Path path) {
        return root.relativize(path).toString().replace('\\', '/');
    }

    private String f(String section, String logical) {
        return mapping.field(section, logical);
    }

    private static List<Path> list(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.sorted().toList();
        } catch (IOException e) {
            throw new ValidationException(
                    SOURCE,
                    "directory " + dir + " could not be listed (" + e.getClass().getSimpleName()
                            + "); nothing was imported");
        }
    }

    private static long countFiles(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            return all.filter(Files::isRegularFile).count();
        } catch (IOException | UncheckedIOException e) {
            return 0;
        }
    }

    @SafeVarargs
    private static <T> T firstNonNull(T... values) {
        for (T v : values) {
            if (v != null) {
                return v;
            }
        }
        return null;
    }
}
