package dev.dal.migration;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dal.api.ChatSession;
import dev.dal.api.DataAccess;
import dev.dal.api.HistoryQuery;
import dev.dal.api.JsonValues;
import dev.dal.api.Message;
import dev.dal.api.Role;
import dev.dal.api.SessionStatus;
import dev.dal.api.User;
import dev.dal.api.UserStatus;
import dev.dal.api.ValidationException;
import dev.dal.api.spi.Ids;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Imports a legacy TinyDB chat file (seed 002, ChatCore) into any store. TinyDB keeps
 * {@code {"<table>": {"<doc id>": {...}}}}; ChatCore's tables and fields are
 * <ul>
 * <li>{@code users}: {@code username}, {@code email}, {@code name}, {@code role}, {@code created_at},
 * {@code updated_at}, …</li>
 * <li>{@code conversations}: {@code conversation_id}, {@code username}, {@code title},
 * {@code created_at}, {@code updated_at}, and optionally {@code messages}: a list of
 * {@code {"role", "content", "timestamp"}} kept in list order</li>
 * <li>{@code messages}: {@code conversation_id}, {@code role}, {@code content}, {@code timestamp}</li>
 * </ul>
 * and a {@link TinyDbMapping} adapts other names.
 *
 * <p>Users are keyed by their case-folded username (it becomes the user's {@code externalId}; two
 * spellings of one name are one user); conversations by their id (the session's {@code chatId}),
 * timestamps kept; messages keep their order and timestamps and are deduplicated by a hash of
 * (conversation, role, content, timestamp). Fields Dal's model has no place for are kept under
 * {@code legacy} in the user's profile or the record's metadata, except secrets (passwords, hashes,
 * tokens), which are never copied. The whole file is read and checked before anything is written,
 * so a malformed file writes nothing; running the import again adds nothing.
 */
public final class TinyDbImporter {
    private static final int MAX_KEY = 255;

    private final TinyDbMapping mapping;
    private final int batchSize;
    private final int maxContentLength;

    /**
     * @param mapping the file's layout
     * @param batchSize records per write
     * @param maxContentLength the longest message content the store accepts (longer ones are skipped)
     */
    public TinyDbImporter(TinyDbMapping mapping, int batchSize, int maxContentLength) {
        this.mapping = mapping;
        this.batchSize = batchSize;
        this.maxContentLength = maxContentLength;
    }

    /** A message as planned, before its sequence number is known. */
    private record Planned(String table, String docId, Role role, String content, Instant at, ObjectNode metadata) {
    }

    /** A conversation as planned. */
    private record Conversation(String chatId, String owner, String title, Instant createdAt, Instant updatedAt,
            ObjectNode metadata, List<Planned> messages) {
    }

    /** A user as planned. */
    private record LegacyUser(String folded, String name, String email, Instant createdAt, Instant updatedAt,
            ObjectNode profile) {
    }

    /**
     * Imports a file.
     *
     * @param file the TinyDB JSON file
     * @param store where to import
     * @return counts and skips
     * @throws ValidationException naming the table, document id and field when the file is malformed;
     *     nothing is written then
     */
    public TinyDbReport importFile(Path file, DataAccess store) {
        JsonNode root = read(file);
        List<TinyDbReport.Skip> skipped = new ArrayList<>();
        long[] usersMerged = {0};

        // ---- read and check everything first ----
        Map<String, LegacyUser> users = new LinkedHashMap<>();
        String usersTable = mapping.table("users");
        for (Map.Entry<String, JsonNode> doc : documents(root, usersTable)) {
            Optional<String> username = optionalText(doc.getValue(), usersTable, doc.getKey(),
                    mapping.field("users", "username"));
            if (username.isEmpty() || username.get().isBlank()) {
                skipped.add(new TinyDbReport.Skip(usersTable, doc.getKey(), "no username"));
                continue;
            }
            String folded = fold(username.get());
            if (folded.length() > MAX_KEY) {
                skipped.add(new TinyDbReport.Skip(usersTable, doc.getKey(), "username longer than 255 characters"));
                continue;
            }
            if (users.containsKey(folded)) {
                usersMerged[0]++;
                continue;
            }
            JsonNode d = doc.getValue();
            Instant created = time(d, usersTable, doc.getKey(), mapping.field("users", "created_at"));
            Instant updated = time(d, usersTable, doc.getKey(), mapping.field("users", "updated_at"));
            ObjectNode legacy = legacy(d, Set.of(mapping.field("users", "username"), mapping.field("users", "email"),
                    mapping.field("users", "name"), mapping.field("users", "created_at"),
                    mapping.field("users", "updated_at")));
            ObjectNode profile = JsonValues.emptyObject();
            if (!legacy.isEmpty()) {
                profile.set("legacy", legacy);
            }
            users.put(folded, new LegacyUser(folded,
                    optionalText(d, usersTable, doc.getKey(), mapping.field("users", "name")).orElse(username.get().trim()),
                    optionalText(d, usersTable, doc.getKey(), mapping.field("users", "email")).orElse(null),
                    created, updated, profile));
        }

        Map<String, Conversation> conversations = new LinkedHashMap<>();
        String convTable = mapping.table("conversations");
        String embeddedField = mapping.field("conversations", "messages");
        for (Map.Entry<String, JsonNode> doc : documents(root, convTable)) {
            JsonNode d = doc.getValue();
            Optional<String> chatId = optionalScalar(d, convTable, doc.getKey(),
                    mapping.field("conversations", "conversation_id"));
            if (chatId.isEmpty() || chatId.get().isBlank()) {
                skipped.add(new TinyDbReport.Skip(convTable, doc.getKey(), "no conversation id"));
                continue;
            }
            if (chatId.get().length() > MAX_KEY) {
                skipped.add(new TinyDbReport.Skip(convTable, doc.getKey(), "conversation id longer than 255 characters"));
                continue;
            }
            if (conversations.containsKey(chatId.get())) {
                skipped.add(new TinyDbReport.Skip(convTable, doc.getKey(), "conversation id " + chatId.get()
                        + " appears twice; the first document is kept"));
                continue;
            }
            Instant created = time(d, convTable, doc.getKey(), mapping.field("conversations", "created_at"));
            Instant updated = time(d, convTable, doc.getKey(), mapping.field("conversations", "updated_at"));
            ObjectNode legacy = legacy(d, Set.of(mapping.field("conversations", "conversation_id"),
                    mapping.field("conversations", "username"), mapping.field("conversations", "title"),
                    mapping.field("conversations", "created_at"), mapping.field("conversations", "updated_at"),
                    embeddedField));
            ObjectNode metadata = JsonValues.emptyObject();
            if (!legacy.isEmpty()) {
                metadata.set("legacy", legacy);
            }
            Conversation c = new Conversation(chatId.get(),
                    optionalText(d, convTable, doc.getKey(), mapping.field("conversations", "username"))
                            .map(TinyDbImporter::fold).orElse(null),
                    optionalText(d, convTable, doc.getKey(), mapping.field("conversations", "title")).orElse(null),
                    created, updated, metadata, new ArrayList<>());
            JsonNode embedded = d.get(embeddedField);
            if (embedded != null && !embedded.isNull()) {
                if (!embedded.isArray()) {
                    throw malformed(convTable, doc.getKey(), embeddedField, "must be a list of messages");
                }
                for (int i = 0; i < embedded.size(); i++) {
                    String id = doc.getKey() + "[" + i + "]";
                    planMessage(embedded.get(i), convTable + "." + embeddedField, id, skipped).ifPresent(c.messages()::add);
                }
            }
            conversations.put(c.chatId(), c);
        }

        String msgTable = mapping.table("messages");
        List<String> unknownConversations = new ArrayList<>();
        for (Map.Entry<String, JsonNode> doc : documents(root, msgTable)) {
            Optional<String> chatId = optionalScalar(doc.getValue(), msgTable, doc.getKey(),
                    mapping.field("messages", "conversation_id"));
            Optional<Planned> planned = planMessage(doc.getValue(), msgTable, doc.getKey(), skipped);
            if (planned.isEmpty()) {
                continue;
            }
            if (chatId.isEmpty()) {
                skipped.add(new TinyDbReport.Skip(msgTable, doc.getKey(), "no conversation id"));
                continue;
            }
            Conversation c = conversations.get(chatId.get());
            if (c == null) {
                if (store.getChatSession(chatId.get()).isEmpty()) {
                    skipped.add(new TinyDbReport.Skip(msgTable, doc.getKey(), "conversation " + chatId.get()
                            + " is neither in the file nor in the store"));
                    continue;
                }
                c = new Conversation(chatId.get(), null, null, null, null, null, new ArrayList<>());
                conversations.put(chatId.get(), c);
                unknownConversations.add(chatId.get());
            }
            c.messages().add(planned.get());
        }

        // ---- write: users, then sessions, then messages ----
        long usersImported = 0;
        Map<String, java.util.UUID> userIds = new LinkedHashMap<>();
        List<Object> newUsers = new ArrayList<>();
        Instant now = Instant.now();
        Set<String> wanted = new HashSet<>(users.keySet());
        conversations.values().stream().map(Conversation::owner).filter(o -> o != null).forEach(wanted::add);
        for (String folded : wanted) {
            Optional<User> existing = store.getUserByExternalId(folded);
            if (existing.isPresent()) {
                userIds.put(folded, existing.get().id());
                if (users.containsKey(folded)) {
                    usersMerged[0]++;
                }
                continue;
            }
            LegacyUser u = users.getOrDefault(folded, new LegacyUser(folded, folded, null, null, null, null));
            Instant created = firstNonNull(u.createdAt(), u.updatedAt(), now);
            User user = new User(Ids.newId(), folded, u.email(), u.name(), u.profile(), null, UserStatus.ACTIVE,
                    created, firstNonNull(u.updatedAt(), created), null);
            userIds.put(folded, user.id());
            newUsers.add(user);
            usersImported++;
        }
        upsert(store, RecordKind.USERS, newUsers);

        long sessionsImported = 0;
        long sessionsMerged = 0;
        long messagesImported = 0;
        long messagesDeduplicated = 0;
        for (Conversation c : conversations.values()) {
            Optional<ChatSession> existing = store.getChatSession(c.chatId());
            ChatSession session;
            if (existing.isPresent()) {
                session = existing.get();
                if (!unknownConversations.contains(c.chatId())) {
                    sessionsMerged++;
                }
            } else {
                Instant created = firstNonNull(c.createdAt(), c.updatedAt(),
                        c.messages().stream().map(Planned::at).filter(t -> t != null).min(Comparator.naturalOrder())
                                .orElse(now));
                session = new ChatSession(Ids.newId(), c.chatId(), c.owner() == null ? null : userIds.get(c.owner()),
                        c.title(), null, c.metadata(), SessionStatus.ACTIVE, created, firstNonNull(c.updatedAt(), created),
                        null, 0);
                sessionsImported++;
            }
            Set<String> seen = new HashSet<>();
            long lastSequence = 0;
            Instant lastAt = session.lastMessageAt();
            if (existing.isPresent()) {
                for (Message m : history(store, c.chatId())) {
                    seen.add(messageHash(c.chatId(), m.role(), m.content(), m.createdAt()));
                    lastSequence = Math.max(lastSequence, m.sequenceNumber());
                }
            }
            List<Object> newMessages = new ArrayList<>();
            for (Planned p : c.messages()) {
                Instant at = firstNonNull(p.at(), session.createdAt());
                if (!seen.add(messageHash(c.chatId(), p.role(), p.content(), at))) {
                    messagesDeduplicated++;
                    continue;
                }
                newMessages.add(new Message(Ids.newId(), session.id(), ++lastSequence, p.role(), p.content(),
                        p.metadata(), null, false, at));
                lastAt = lastAt == null || at.isAfter(lastAt) ? at : lastAt;
            }
            if (existing.isEmpty() || !newMessages.isEmpty()) {
                store.bulk().upsertSessions(List.of(session.withMessages(lastSequence, lastAt)));
            }
            upsert(store, RecordKind.MESSAGES, newMessages);
            messagesImported += newMessages.size();
        }
        return new TinyDbReport(usersImported, usersMerged[0], sessionsImported, sessionsMerged, messagesImported,
                messagesDeduplicated, skipped);
    }

    private Optional<Planned> planMessage(JsonNode d, String table, String docId, List<TinyDbReport.Skip> skipped) {
        if (d == null || !d.isObject()) {
            throw malformed(table, docId, null, "is not a JSON object");
        }
        Optional<String> roleName = optionalText(d, table, docId, mapping.field("messages", "role"));
        Optional<String> content = optionalText(d, table, docId, mapping.field("messages", "content"));
        Instant at = time(d, table, docId, mapping.field("messages", "timestamp"));
        if (roleName.isEmpty()) {
            skipped.add(new TinyDbReport.Skip(table, docId, "no role"));
            return Optional.empty();
        }
        Role role;
        try {
            role = Role.fromWireName(mapping.role(roleName.get()));
        } catch (ValidationException e) {
            skipped.add(new TinyDbReport.Skip(table, docId, "unknown role '" + roleName.get() + "'"));
            return Optional.empty();
        }
        if (content.isEmpty()) {
            skipped.add(new TinyDbReport.Skip(table, docId, "no content"));
            return Optional.empty();
        }
        if (content.get().indexOf('\0') >= 0) {
            skipped.add(new TinyDbReport.Skip(table, docId, "content holds a NUL character"));
            return Optional.empty();
        }
        if (content.get().length() > maxContentLength) {
            skipped.add(new TinyDbReport.Skip(table, docId, "content longer than " + maxContentLength + " characters"));
            return Optional.empty();
        }
        ObjectNode legacy = legacy(d, Set.of(mapping.field("messages", "conversation_id"),
                mapping.field("messages", "role"), mapping.field("messages", "content"),
                mapping.field("messages", "timestamp")));
        ObjectNode metadata = JsonValues.emptyObject();
        if (!legacy.isEmpty()) {
            metadata.set("legacy", legacy);
        }
        return Optional.of(new Planned(table, docId, role, content.get(), at, metadata));
    }

    private List<Message> history(DataAccess store, String chatId) {
        List<Message> all = new ArrayList<>();
        long after = 0;
        while (true) {
            List<Message> page = store.getChatHistory(chatId, HistoryQuery.after(after, HistoryQuery.MAX_LIMIT));
            all.addAll(page);
            if (page.size() < HistoryQuery.MAX_LIMIT) {
                return all;
            }
            after = page.get(page.size() - 1).sequenceNumber();
        }
    }

    private void upsert(DataAccess store, RecordKind kind, List<Object> records) {
        for (int i = 0; i < records.size(); i += batchSize) {
            List<Object> slice = records.subList(i, Math.min(records.size(), i + batchSize));
            dev.dal.migration.internal.KindAccess.of(kind).upsert(store.bulk(), new ArrayList<>(slice));
        }
    }

    private static JsonNode read(Path file) {
        try {
            JsonNode root = JsonValues.newMapper().readTree(Files.readString(file, StandardCharsets.UTF_8));
            if (root == null || !root.isObject()) {
                throw new ValidationException("tinydb", file + " must hold a JSON object of tables");
            }
            return root;
        } catch (JsonProcessingException e) {
            throw new ValidationException("tinydb", file + " is not JSON (line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr() + ")");
        } catch (IOException e) {
            throw new ValidationException("tinydb", file + " could not be read: " + e.getMessage());
        }
    }

    /** @return the table's documents in document-id order (numeric ids numerically) */
    private static List<Map.Entry<String, JsonNode>> documents(JsonNode root, String table) {
        JsonNode docs = root.get(table);
        if (docs == null || docs.isNull()) {
            return List.of();
        }
        if (!docs.isObject()) {
            throw new ValidationException("tinydb", "table '" + table + "' must be an object of documents by id");
        }
        List<Map.Entry<String, JsonNode>> entries = new ArrayList<>(docs.properties());
        for (Map.Entry<String, JsonNode> e : entries) {
            if (!e.getValue().isObject()) {
                throw malformed(table, e.getKey(), null, "is not a JSON object");
            }
        }
        entries.sort(Comparator.comparing((Map.Entry<String, JsonNode> e) -> numeric(e.getKey()))
                .thenComparing(Map.Entry::getKey));
        return entries;
    }

    private static long numeric(String id) {
        try {
            return Long.parseLong(id);
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }

    private ObjectNode legacy(JsonNode doc, Set<String> mapped) {
        ObjectNode legacy = JsonValues.emptyObject();
        for (Map.Entry<String, JsonNode> field : doc.properties()) {
            if (!mapped.contains(field.getKey()) && !mapping.isSecret(field.getKey())) {
                legacy.set(field.getKey(), field.getValue());
            }
        }
        return legacy;
    }

    private static Optional<String> optionalText(JsonNode doc, String table, String id, String field) {
        JsonNode v = doc.get(field);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isTextual()) {
            throw malformed(table, id, field, "must be a string");
        }
        return Optional.of(v.asText());
    }

    private static Optional<String> optionalScalar(JsonNode doc, String table, String id, String field) {
        JsonNode v = doc.get(field);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isTextual() && !v.isIntegralNumber()) {
            throw malformed(table, id, field, "must be a string or a whole number");
        }
        return Optional.of(v.asText());
    }

    private static Instant time(JsonNode doc, String table, String id, String field) {
        JsonNode v = doc.get(field);
        if (v == null || v.isNull() || (v.isTextual() && v.asText().isBlank())) {
            return null;
        }
        if (v.isNumber()) {
            double n = v.asDouble();
            // Seconds (Python's time.time()) or, when implausibly large for seconds, milliseconds.
            return n > 1e11 ? Instant.ofEpochMilli((long) n) : Instant.ofEpochMilli(Math.round(n * 1000));
        }
        if (!v.isTextual()) {
            throw malformed(table, id, field, "must be a timestamp (ISO-8601 text or epoch seconds)");
        }
        String text = v.asText().trim().replace(' ', 'T');
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            try {
                // Python's isoformat() without a zone: ChatCore wrote UTC.
                return LocalDateTime.parse(text).toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException e2) {
                throw malformed(table, id, field, "is not a timestamp: '" + v.asText() + "'");
            }
        }
    }

    private static ValidationException malformed(String table, String id, String field, String rule) {
        return new ValidationException("tinydb", "table '" + table + "', document " + id
                + (field == null ? "" : ", field '" + field + "'") + ": " + rule + "; nothing was imported");
    }

    /** Python's {@code str.casefold()} for the names people type: Unicode lower case of the upper case. */
    static String fold(String name) {
        return name.trim().toUpperCase(Locale.ROOT).toLowerCase(Locale.ROOT);
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

    private static String messageHash(String chatId, Role role, String content, Instant at) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (String part : new String[] {chatId, role.wireName(), content, String.valueOf(at.toEpochMilli())}) {
                byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
                digest.update((bytes.length + ":").getBytes(StandardCharsets.UTF_8));
                digest.update(bytes);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
