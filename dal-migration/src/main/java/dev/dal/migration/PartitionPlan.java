package dev.dal.migration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dal.api.ChatSession;
import dev.dal.api.ConfigurationException;
import dev.dal.api.DataAccess;
import dev.dal.api.JsonValues;
import dev.dal.api.User;
import dev.dal.api.ValidationException;
import dev.dal.api.bulk.IdRange;
import dev.dal.api.bulk.ScanBatch;
import dev.dal.migration.internal.KindAccess;
import dev.dal.migration.internal.PrivateFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * How N copy workers split a store by id range, so that each reads only its share: worker {@code I} copies the
 * users of user range {@code I}, the sessions of session range {@code I} with their messages, and the memory of
 * user range {@code I}. The ranges of each kind are contiguous in scan order and together hold every id, so
 * records created after planning (and ids of any form) still fall in exactly one range; with Dal's time-ordered
 * ids new records land in the last.
 *
 * <p>A plan is computed once from the source ({@link #compute}: users cut into ranges of equal counts, sessions
 * into ranges of equal messages) and saved to a file that every worker is given, so all workers agree on the
 * ranges however the source changes meanwhile. Computing it reads the users and sessions twice, no messages.
 *
 * @param count how many partitions
 * @param userStarts the first user id of each partition, ascending; the first is the lowest id
 * @param sessionStarts the first session id of each partition, ascending; the first is the lowest id
 */
public record PartitionPlan(int count, List<UUID> userStarts, List<UUID> sessionStarts) {
    private static final ObjectMapper MAPPER = JsonValues.newMapper();
    private static final String FORMAT = "dal-partition-plan";

    /**
     * Checks the starts.
     *
     * @param count how many partitions, 1 or more
     * @param userStarts the first user id of each partition, ascending; the first is the lowest id
     * @param sessionStarts the first session id of each partition, ascending; the first is the lowest id
     */
    public PartitionPlan {
        userStarts = List.copyOf(userStarts);
        sessionStarts = List.copyOf(sessionStarts);
        if (count < 1) {
            throw new ValidationException("count", "must be 1 or more, got " + count);
        }
        checkStarts("userStarts", userStarts, count);
        checkStarts("sessionStarts", sessionStarts, count);
    }

    private static void checkStarts(String field, List<UUID> starts, int count) {
        if (starts.size() != count || !starts.get(0).equals(IdRange.ALL.first())) {
            throw new ValidationException(field, "must hold " + count + " ids, the first the lowest id");
        }
        for (int i = 1; i < starts.size(); i++) {
            if (IdRange.compare(starts.get(i - 1), starts.get(i)) > 0) {
                throw new ValidationException(field, "must be ascending");
            }
        }
    }

    /**
     * Plans partitions from a store's users and sessions.
     *
     * @param source the store to be copied
     * @param count how many partitions, 1 or more
     * @param batchSize records per scan
     * @return the plan
     */
    public static PartitionPlan compute(DataAccess source, int count, int batchSize) {
        if (count < 1) {
            throw new ValidationException("count", "must be 1 or more, got " + count);
        }
        // A session weighs its messages and itself, so sessions without messages still spread.
        List<UUID> users = cut(source, KindAccess.USERS, count, batchSize, User::id, u -> 1L);
        List<UUID> sessions =
                cut(source, KindAccess.SESSIONS, count, batchSize, ChatSession::id, s -> 1 + s.messageCount());
        return new PartitionPlan(count, users, sessions);
    }

    /** Weighs a record. */
    private interface Weight<T> {
        long of(T record);
    }

    /** Identifies a record. */
    private interface Id<T> {
        UUID of(T record);
    }

    private static <T> List<UUID> cut(
            DataAccess source, KindAccess<T> access, int count, int batchSize, Id<T> id, Weight<T> weight) {
        long total = 0;
        for (ScanBatch<? extends T> batch : access.batches(source.bulk(), null, batchSize)) {
            for (T record : batch.items()) {
                total += weight.of(record);
            }
        }
        List<UUID> starts = new ArrayList<>(count);
        starts.add(IdRange.ALL.first());
        long seen = 0;
        UUID previous = null;
        read:
        for (ScanBatch<? extends T> batch : access.batches(source.bulk(), null, batchSize)) {
            for (T record : batch.items()) {
                // Partition k starts at the first record past k/count of the weight.
                while (starts.size() < count && seen * count >= total * starts.size() && seen > 0) {
                    starts.add(id.of(record));
                }
                if (starts.size() == count) {
                    break read;
                }
                seen += weight.of(record);
                previous = id.of(record);
            }
        }
        // Fewer records than partitions (or a store changed between the passes): the rest start past the last id.
        UUID end = previous == null ? IdRange.ALL.first() : previous;
        while (starts.size() < count) {
            starts.add(IdRange.compare(end, starts.get(starts.size() - 1)) < 0 ? starts.get(starts.size() - 1) : end);
        }
        return starts;
    }

    /**
     * @param index a partition, 0-based
     * @return the user ids it copies (and their memory), empty when it copies none
     */
    public Optional<IdRange> users(int index) {
        return range(userStarts, index);
    }

    /**
     * @param index a partition, 0-based
     * @return the session ids it copies (and their messages), empty when it copies none
     */
    public Optional<IdRange> sessions(int index) {
        return range(sessionStarts, index);
    }

    /**
     * @param kind a kind
     * @param index a partition, 0-based
     * @return the ids whose records of that kind the partition copies: user ids for users and memory, session ids
     *     for sessions and messages; empty when it copies none
     */
    public Optional<IdRange> range(RecordType kind, int index) {
        return kind == RecordType.USERS || kind == RecordType.MEMORY ? users(index) : sessions(index);
    }

    private Optional<IdRange> range(List<UUID> starts, int index) {
        if (index < 0 || index >= count) {
            throw new ValidationException("partition", "must be from 0 to " + (count - 1) + ", got " + index);
        }
        UUID first = starts.get(index);
        if (index == count - 1) {
            return Optional.of(new IdRange(first, IdRange.ALL.last()));
        }
        UUID next = starts.get(index + 1);
        if (next.equals(first)) {
            return Optional.empty();
        }
        return Optional.of(new IdRange(first, IdRange.previous(next)));
    }

    /** @return a short fingerprint of the ranges, part of each worker's checkpoint key */
    public String fingerprint() {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    /**
     * Saves the plan as JSON, durably, owner-only.
     *
     * @param file where
     * @throws ConfigurationException when it cannot be written
     */
    public void save(Path file) {
        try {
            PrivateFiles.replaceDurably(file, (text() + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new ConfigurationException("The partition plan " + file + " could not be written: " + e.getMessage());
        }
    }

    /**
     * @param file a file {@link #save} wrote
     * @return the plan
     * @throws ConfigurationException when the file is missing, unreadable or not a plan
     */
    public static PartitionPlan load(Path file) {
        JsonNode node;
        try {
            node = MAPPER.readTree(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new ConfigurationException("The partition plan " + file + " could not be read: " + e.getMessage());
        }
        if (node == null
                || !FORMAT.equals(node.path("format").asText())
                || node.path("version").asInt() != 1) {
            throw new ConfigurationException("The file " + file + " is not a partition plan (" + FORMAT + " 1)");
        }
        try {
            return new PartitionPlan(node.path("count").asInt(), ids(node.path("users")), ids(node.path("sessions")));
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException("The partition plan " + file + " is damaged: " + e.getMessage());
        }
    }

    private static List<UUID> ids(JsonNode array) {
        List<UUID> ids = new ArrayList<>();
        array.forEach(id -> ids.add(UUID.fromString(id.asText())));
        return ids;
    }

    private String text() {
        ObjectNode node = MAPPER.createObjectNode()
                .put("format", FORMAT)
                .put("version", 1)
                .put("count", count);
        ArrayNode users = node.putArray("users");
        userStarts.forEach(id -> users.add(id.toString()));
        ArrayNode sessions = node.putArray("sessions");
        sessionStarts.forEach(id -> sessions.add(id.toString()));
        return JsonValues.write(node);
    }
}
