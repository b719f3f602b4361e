package dev.dal.file.internal;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.RuntimeJsonMappingException;
import dev.dal.api.TokenUsage;
import dev.dal.api.TokenUsageQuery;
import dev.dal.api.TokenUsageTotal;
import dev.dal.api.bulk.ScanBatch;
import dev.dal.api.spi.ScanCursors;
import dev.dal.api.spi.TokenTotals;
import dev.dal.file.internal.StoredIndexes.UsageDays;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The store's token usage: {@code token-usage/<day>.ndjson} holds one JSON line per record, for each UTC day,
 * appended as records come. Totals over a range read only the files of the days the range covers, streaming
 * their lines, so their cost grows with the usage in the range, not with the store. A session's directory and
 * each billed user keep the list of days they have usage on, so deleting either rewrites those days' files only.
 * {@code token-usage/ids/<xx>.bin} holds the 16 bytes of every id recorded whose first byte is {@code xx}, so a
 * request with a new id is known to be new by reading one small file.
 */
final class TokenUsageLog {
    private static final int ID_BYTES = 16;

    private final StoreLayout layout;
    private final FileRecords mapping;
    private final JournaledFiles files;

    TokenUsageLog(StoreLayout layout, FileRecords mapping, JournaledFiles files) {
        this.layout = layout;
        this.mapping = mapping;
        this.files = files;
    }

    /** Appends a record to its day's file and its id to its bucket, and notes the day for its session and user. */
    void record(TokenUsage usage) throws IOException {
        LocalDate day = dayOf(usage);
        files.createDirectory(layout.tokenUsageDir());
        files.append(layout.tokenUsageDay(day), line(usage));
        Path bucket = layout.tokenUsageIdBucket(usage.id());
        files.createDirectory(bucket.getParent());
        files.append(bucket, idBytes(usage.id()));
        noteDay(layout.sessionUsageDays(usage.sessionId()), day);
        noteDay(layout.userUsageDays(usage.userId()), day);
    }

    /**
     * Finds a record by id, reading the files of its session's days first (where a repeated request finds it)
     * and every day file only when it is not there.
     *
     * @return the record; it names {@code sessionId} unless the id is stored for another session
     */
    Optional<TokenUsage> find(UUID id, UUID sessionId) throws IOException {
        if (!mayHold(id)) {
            return Optional.empty();
        }
        List<Path> likely = new ArrayList<>();
        for (LocalDate day : days(layout.sessionUsageDays(sessionId))) {
            likely.add(layout.tokenUsageDay(day));
        }
        Optional<TokenUsage> found = findIn(likely, id);
        return found.isPresent() ? found : findIn(DurableFiles.list(layout.tokenUsageDir()), id);
    }

    /**
     * Whether a record of this id may be stored: its id bucket (16 bytes per id ever recorded, by the id's first
     * byte) holds it. Ids of deleted records stay in their bucket, so a hit is only a maybe; a miss is certain.
     */
    private boolean mayHold(UUID id) throws IOException {
        byte[] bucket = DurableFiles.readOrNull(layout.tokenUsageIdBucket(id));
        if (bucket == null) {
            return false;
        }
        ByteBuffer ids = ByteBuffer.wrap(bucket);
        for (int at = 0; at + ID_BYTES <= bucket.length; at += ID_BYTES) {
            if (ids.getLong(at) == id.getMostSignificantBits() && ids.getLong(at + 8) == id.getLeastSignificantBits()) {
                return true;
            }
        }
        return false;
    }

    private static byte[] idBytes(UUID id) {
        return ByteBuffer.allocate(ID_BYTES)
                .putLong(id.getMostSignificantBits())
                .putLong(id.getLeastSignificantBits())
                .array();
    }

    private Optional<TokenUsage> findIn(List<Path> files, UUID id) throws IOException {
        TokenUsage[] found = {null};
        for (Path file : files) {
            if (dayOfFile(file) != null) {
                forEachRecord(file, u -> {
                    if (u.id().equals(id)) {
                        found[0] = u;
                    }
                });
            }
            if (found[0] != null) {
                return Optional.of(found[0]);
            }
        }
        return Optional.empty();
    }

    /** Totals the records a query counts, reading the files of the days its range covers. */
    List<TokenUsageTotal> total(TokenUsageQuery query, UUID sessionId) throws IOException {
        LocalDate first = query.from().atOffset(ZoneOffset.UTC).toLocalDate();
        LocalDate last = query.to().minusMillis(1).atOffset(ZoneOffset.UTC).toLocalDate();
        TokenTotals.Accumulator totals = new TokenTotals.Accumulator(query, sessionId);
        for (Path file : DurableFiles.list(layout.tokenUsageDir())) {
            LocalDate day = dayOfFile(file);
            if (day != null && !day.isBefore(first) && !day.isAfter(last)) {
                forEachRecord(file, totals::add);
            }
        }
        return totals.totals();
    }

    /**
     * A batch of the scan in id order. The files are in day order, so each batch reads every file once, keeping
     * only the {@code batchSize} lowest ids after the cursor: a scan costs the store's usage per batch.
     */
    ScanBatch<TokenUsage> scan(UUID after, int batchSize) throws IOException {
        Comparator<TokenUsage> byId = Comparator.comparing(u -> u.id().toString());
        PriorityQueue<TokenUsage> lowest = new PriorityQueue<>(byId.reversed());
        String floor = after == null ? null : after.toString();
        for (Path file : DurableFiles.list(layout.tokenUsageDir())) {
            if (dayOfFile(file) == null) {
                continue;
            }
            forEachRecord(file, usage -> {
                if (floor == null || usage.id().toString().compareTo(floor) > 0) {
                    lowest.add(usage);
                    if (lowest.size() > batchSize) {
                        lowest.poll();
                    }
                }
            });
        }
        List<TokenUsage> items = new ArrayList<>(lowest);
        items.sort(byId);
        return ScanCursors.batch(items, batchSize, ScanCursors::ofTokenUsage);
    }

    /** Stores exact records (their parents checked by the caller), each replacing a stored record of its id. */
    void upsert(List<TokenUsage> usage) throws IOException {
        delete(usage.stream().map(TokenUsage::id).toList());
        for (TokenUsage u : usage) {
            record(u);
        }
    }

    /** Removes records by id, rewriting only the day files that hold any: each call reads every day file. */
    void delete(List<UUID> ids) throws IOException {
        Set<UUID> removed = Set.copyOf(ids);
        for (Path file : DurableFiles.list(layout.tokenUsageDir())) {
            LocalDate day = dayOfFile(file);
            if (day != null) {
                rewriteWithout(day, u -> removed.contains(u.id()));
            }
        }
    }

    /** Removes a session's usage from the files of its days; the session's list goes with its directory. */
    void deleteSessionUsage(UUID sessionId) throws IOException {
        for (LocalDate day : days(layout.sessionUsageDays(sessionId))) {
            rewriteWithout(day, u -> u.sessionId().equals(sessionId));
        }
    }

    /** Removes the usage billed to a user from the files of the user's days, and the user's list. */
    void deleteUserUsage(UUID userId) throws IOException {
        Path list = layout.userUsageDays(userId);
        for (LocalDate day : days(list)) {
            rewriteWithout(day, u -> u.userId().equals(userId));
        }
        files.delete(list);
    }

    private void rewriteWithout(LocalDate day, Predicate<TokenUsage> removed) throws IOException {
        Path file = layout.tokenUsageDay(day);
        ByteArrayOutputStream kept = new ByteArrayOutputStream();
        boolean[] changed = {false};
        forEachRecord(file, usage -> {
            if (removed.test(usage)) {
                changed[0] = true;
            } else {
                kept.writeBytes(line(usage));
            }
        });
        if (!changed[0]) {
            return;
        }
        if (kept.size() == 0) {
            files.delete(file);
        } else {
            files.replace(file, kept.toByteArray());
        }
    }

    private void forEachRecord(Path file, Consumer<TokenUsage> each) throws IOException {
        if (!Files.exists(file)) {
            return;
        }
        ObjectReader reader = mapping.readerFor(TokenUsage.class);
        try (InputStream in = Files.newInputStream(file);
                MappingIterator<TokenUsage> records = reader.readValues(in)) {
            while (records.hasNext()) {
                each.accept(records.next());
            }
        } catch (IOException | RuntimeJsonMappingException e) {
            throw FileErrors.unreadable("token usage", e);
        }
    }

    private byte[] line(TokenUsage usage) {
        try {
            byte[] json = mapping.write(usage);
            byte[] line = new byte[json.length + 1];
            System.arraycopy(json, 0, line, 0, json.length);
            line[json.length] = '\n';
            return line;
        } catch (IOException e) {
            throw FileErrors.unreadable("token usage", e);
        }
    }

    private void noteDay(Path list, LocalDate day) throws IOException {
        List<LocalDate> days = days(list);
        if (!days.contains(day)) {
            List<String> names = new ArrayList<>();
            days.forEach(d -> names.add(d.toString()));
            names.add(day.toString());
            names.sort(null);
            files.replace(list, mapping.write(new UsageDays(names)));
        }
    }

    private List<LocalDate> days(Path list) throws IOException {
        byte[] bytes = DurableFiles.readOrNull(list);
        if (bytes == null) {
            return List.of();
        }
        return mapping.read(bytes, UsageDays.class, "token usage days").days().stream()
                .map(LocalDate::parse)
                .toList();
    }

    private static LocalDate dayOf(TokenUsage usage) {
        return usage.createdAt().atOffset(ZoneOffset.UTC).toLocalDate();
    }

    /** @return the day a file of the usage directory holds, or {@code null} for any other file */
    private static LocalDate dayOfFile(Path file) {
        String name = file.getFileName().toString();
        if (!name.endsWith(".ndjson")) {
            return null;
        }
        try {
            return LocalDate.parse(name.substring(0, name.length() - ".ndjson".length()));
        } catch (java.time.format.DateTimeParseException e) {
            return null;
        }
    }
}
