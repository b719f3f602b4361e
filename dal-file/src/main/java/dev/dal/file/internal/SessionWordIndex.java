package dev.dal.file.internal;

import dev.dal.api.Message;
import dev.dal.api.spi.SearchWords;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.zip.CRC32;

/**
 * A session's word index, for full-text search: one posting (word hash, sequence number) for every distinct word
 * of every stored message, words as {@link SearchWords} defines them, so a search reads the postings of its own
 * words and then only the messages they name, never every message of the session.
 *
 * <p>Two files beside the message log, both written in the unit of work that writes the messages:
 *
 * <ul>
 *   <li>{@code words.base}: {@code "DWB1"} | the log length it covers (8) | entry count (8) | entries sorted by
 *       hash, each hash (4) | sequence number (8); found by binary search.
 *   <li>{@code words.tail}: one batch appended per message write, {@code "DWT1"} | entry count (4) | entries (12
 *       each) | the log length covered after it (8) | CRC-32 of the batch's bytes before the CRC (4).
 * </ul>
 *
 * When a write would take the tail past {@code max(4,096, base entries / 8)} entries, it merges base and tail
 * into a new base instead; the old files go to the unit's trash (a rename), so nothing large is journaled, and
 * the tail a search reads stays small.
 *
 * <p>The index is <em>fresh</em> when the log length it covers is the log's length. It is stale in a directory an
 * older Dal wrote (no index files, or an append the index missed); a search then reads that session's messages,
 * and the next message write to the session rebuilds the index from what is stored. A posting may name a message
 * whose content a bulk upsert has since replaced, or share its word's hash by chance: a search checks every
 * message it reads against its content, so neither yields a false hit.
 */
final class SessionWordIndex {
    private static final byte[] BASE_MAGIC = "DWB1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TAIL_MAGIC = "DWT1".getBytes(StandardCharsets.US_ASCII);
    private static final int BASE_HEADER = 4 + 8 + 8;
    private static final int ENTRY = 4 + 8;
    private static final int TAIL_OVERHEAD = 4 + 4 + 8 + 4;
    private static final int MIN_TAIL_ENTRIES = 4_096;
    /** Base entries read at a time while collecting one hash's run. */
    private static final int RUN_CHUNK = 512;

    private final Path base;
    private final Path tail;

    SessionWordIndex(StoreLayout layout, UUID sessionId) {
        this.base = layout.wordIndexBase(sessionId);
        this.tail = layout.wordIndexTail(sessionId);
    }

    /** The file a message write appends to, for {@link JournaledFiles#prepare}. */
    Path tailFile() {
        return tail;
    }

    /**
     * Indexes a message write, after its lines are in the log.
     *
     * @param files the unit's files
     * @param written the messages the write stored
     * @param logLengthBefore the log's length before the write
     * @param logLengthAfter the log's length after it
     * @param log the session's log, read only when the index must be rebuilt
     * @throws IOException when the index cannot be read or written
     */
    void add(JournaledFiles files, List<Message> written, long logLengthBefore, long logLengthAfter, MessageLog log)
            throws IOException {
        BaseHeader header = baseHeader();
        Tail stored = header == null ? null : readTail(header.coveredLogLength());
        boolean fresh = stored != null && stored.coveredLogLength() == logLengthBefore;
        if (!fresh) {
            writeBase(files, entriesOf(log.readAll()), logLengthAfter);
            return;
        }
        Entries added = entriesOf(written);
        if (stored.entries().size() + added.size() > Math.max(MIN_TAIL_ENTRIES, header.entries() / 8)) {
            Entries all = readBase(header);
            all.addAll(stored.entries());
            all.addAll(added);
            writeBase(files, all, logLengthAfter);
        } else {
            files.append(tail, tailBatch(added, logLengthAfter));
        }
    }

    /**
     * The messages that may hold every word.
     *
     * @param words the query's words, at least one
     * @param logLength the session's log length now
     * @return their sequence numbers, or {@code null} when the index is stale and cannot say
     * @throws IOException when the index cannot be read
     */
    Set<Long> candidates(List<String> words, long logLength) throws IOException {
        BaseHeader header = baseHeader();
        Tail stored = header == null ? null : readTail(header.coveredLogLength());
        if (stored == null || stored.coveredLogLength() != Math.max(0, logLength)) {
            return null;
        }
        Set<Long> result = null;
        try (FileChannel channel = header.entries() == 0 ? null : FileChannel.open(base, StandardOpenOption.READ)) {
            for (String word : new LinkedHashSet<>(words)) {
                int hash = hash(word);
                Set<Long> found = new HashSet<>();
                if (channel != null) {
                    baseRun(channel, header.entries(), hash, found);
                }
                stored.entries().collect(hash, found);
                result = result == null ? found : retainAll(result, found);
                if (result.isEmpty()) {
                    break;
                }
            }
        }
        return result == null ? Set.of() : result;
    }

    private static Set<Long> retainAll(Set<Long> kept, Set<Long> found) {
        kept.retainAll(found);
        return kept;
    }

    /** A word's hash in the index: FNV-1a over its UTF-8 bytes, the same on every machine. */
    static int hash(String word) {
        int h = 0x811c9dc5;
        for (byte b : word.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x01000193;
        }
        return h;
    }

    private static Entries entriesOf(List<Message> messages) {
        Entries entries = new Entries();
        for (Message m : messages) {
            for (String word : new HashSet<>(SearchWords.every(m.content()))) {
                entries.add(hash(word), m.sequenceNumber());
            }
        }
        return entries;
    }

    // ---- base ----

    private record BaseHeader(long coveredLogLength, long entries) {}

    /**
     * @return the base's header (an empty base covering nothing when there is no base file), or {@code null} when
     *     the file is torn or not a base
     */
    private BaseHeader baseHeader() throws IOException {
        try (FileChannel channel = FileChannel.open(base, StandardOpenOption.READ)) {
            if (channel.size() < BASE_HEADER) {
                return null;
            }
            ByteBuffer head = ByteBuffer.wrap(DurableFiles.readAt(channel, 0, BASE_HEADER));
            byte[] magic = new byte[4];
            head.get(magic);
            long covered = head.getLong();
            long entries = head.getLong();
            if (!Arrays.equals(magic, BASE_MAGIC) || entries < 0 || channel.size() != BASE_HEADER + entries * ENTRY) {
                return null;
            }
            return new BaseHeader(covered, entries);
        } catch (NoSuchFileException e) {
            // No base yet: the tail, if any, covers the log from its start.
            return new BaseHeader(0, 0);
        }
    }

    private Entries readBase(BaseHeader header) throws IOException {
        Entries entries = new Entries();
        if (header.entries() == 0) {
            return entries;
        }
        try (FileChannel channel = FileChannel.open(base, StandardOpenOption.READ)) {
            ByteBuffer all = ByteBuffer.wrap(
                    DurableFiles.readAt(channel, BASE_HEADER, Math.toIntExact(header.entries() * ENTRY)));
            while (all.hasRemaining()) {
                entries.add(all.getInt(), all.getLong());
            }
        }
        return entries;
    }

    /** Adds the sequence numbers of one hash's run in the base: a binary search for its first entry, then a scan. */
    private static void baseRun(FileChannel channel, long count, int hash, Set<Long> into) throws IOException {
        long low = 0;
        long high = count;
        while (low < high) {
            long mid = (low + high) >>> 1;
            int at = ByteBuffer.wrap(DurableFiles.readAt(channel, BASE_HEADER + mid * ENTRY, 4))
                    .getInt();
            if (at < hash) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        for (long i = low; i < count; i += RUN_CHUNK) {
            int n = (int) Math.min(RUN_CHUNK, count - i);
            ByteBuffer chunk = ByteBuffer.wrap(DurableFiles.readAt(channel, BASE_HEADER + i * ENTRY, n * ENTRY));
            while (chunk.hasRemaining()) {
                if (chunk.getInt() != hash) {
                    return;
                }
                into.add(chunk.getLong());
            }
        }
    }

    /** Replaces base and tail with one base; the old files go to the unit's trash, so none is copied to the journal. */
    private void writeBase(JournaledFiles files, Entries entries, long coveredLogLength) throws IOException {
        entries.sortByHash();
        ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(BASE_HEADER + (long) entries.size() * ENTRY));
        out.put(BASE_MAGIC).putLong(coveredLogLength).putLong(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            out.putInt(entries.hash(i)).putLong(entries.sequenceNumber(i));
        }
        files.deleteTree(tail);
        files.deleteTree(base);
        files.replace(base, out.array());
    }

    // ---- tail ----

    /**
     * The tail's entries and the log length the index covers with them.
     *
     * @param coveredLogLength the log length covered after the tail's last batch (the base's, when it has none)
     */
    private record Tail(Entries entries, long coveredLogLength) {}

    /** @return the tail read whole, covering from the base on; {@code null} when a batch is torn or corrupt */
    private Tail readTail(long baseCovered) throws IOException {
        byte[] bytes = DurableFiles.readOrNull(tail);
        Entries entries = new Entries();
        if (bytes == null) {
            return new Tail(entries, baseCovered);
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        long covered = baseCovered;
        while (in.hasRemaining()) {
            int start = in.position();
            if (in.remaining() < TAIL_OVERHEAD) {
                return null;
            }
            byte[] magic = new byte[4];
            in.get(magic);
            int n = in.getInt();
            if (!Arrays.equals(magic, TAIL_MAGIC) || n < 0 || in.remaining() < (long) n * ENTRY + 12) {
                return null;
            }
            int entriesAt = in.position();
            in.position(entriesAt + n * ENTRY);
            covered = in.getLong();
            int crcAt = in.position();
            int crc = in.getInt();
            if (crc(bytes, start, crcAt - start) != crc) {
                return null;
            }
            ByteBuffer batch = ByteBuffer.wrap(bytes, entriesAt, n * ENTRY);
            for (int i = 0; i < n; i++) {
                entries.add(batch.getInt(), batch.getLong());
            }
        }
        return new Tail(entries, covered);
    }

    private static byte[] tailBatch(Entries entries, long coveredLogLength) {
        ByteBuffer out = ByteBuffer.allocate(TAIL_OVERHEAD + entries.size() * ENTRY);
        out.put(TAIL_MAGIC).putInt(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            out.putInt(entries.hash(i)).putLong(entries.sequenceNumber(i));
        }
        out.putLong(coveredLogLength);
        byte[] bytes = out.array();
        out.putInt(crc(bytes, 0, bytes.length - 4));
        return bytes;
    }

    private static int crc(byte[] bytes, int from, int length) {
        CRC32 crc = new CRC32();
        crc.update(bytes, from, length);
        return (int) crc.getValue();
    }

    /** Postings in two growable primitive arrays: a million of them cost 12 MB, not a million objects. */
    private static final class Entries {
        private int[] hashes = new int[16];
        private long[] sequenceNumbers = new long[16];
        private int size;

        void add(int hash, long sequenceNumber) {
            if (size == hashes.length) {
                hashes = Arrays.copyOf(hashes, size * 2);
                sequenceNumbers = Arrays.copyOf(sequenceNumbers, size * 2);
            }
            hashes[size] = hash;
            sequenceNumbers[size] = sequenceNumber;
            size++;
        }

        void addAll(Entries other) {
            for (int i = 0; i < other.size; i++) {
                add(other.hashes[i], other.sequenceNumbers[i]);
            }
        }

        int size() {
            return size;
        }

        int hash(int i) {
            return hashes[i];
        }

        long sequenceNumber(int i) {
            return sequenceNumbers[i];
        }

        void collect(int hash, Set<Long> into) {
            for (int i = 0; i < size; i++) {
                if (hashes[i] == hash) {
                    into.add(sequenceNumbers[i]);
                }
            }
        }

        /** Sorts by hash (signed, as the binary search compares), keeping no order within a hash. */
        void sortByHash() {
            long[] keys = new long[size];
            for (int i = 0; i < size; i++) {
                keys[i] = ((long) hashes[i] << 32) | i;
            }
            Arrays.sort(keys);
            int[] h = new int[size];
            long[] s = new long[size];
            for (int i = 0; i < size; i++) {
                int from = (int) keys[i];
                h[i] = hashes[from];
                s[i] = sequenceNumbers[from];
            }
            hashes = h;
            sequenceNumbers = s;
        }
    }
}
