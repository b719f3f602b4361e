package dev.dal.file.internal;

import dev.dal.api.DataAccessException;
import dev.dal.api.DuplicateKeyException;
import dev.dal.api.Message;
import dev.dal.api.spi.SearchWords;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.zip.CRC32;

/**
 * A session's messages: {@code messages.ndjson} holds one JSON line per message, appended and
 * never rewritten; {@code messages.idx} holds a fixed 16-byte slot per sequence number (offset,
 * length and CRC-32 of the line), so message {@code n} is found at byte {@code (n-1)*16} without
 * reading anything else. Adding a message costs the same however long the session is, and a page
 * of history reads only its own lines. A slot of zeros is empty. {@code messages.digest} ({@link SessionDigest})
 * sums the stored messages and is rewritten with every write to them, in the same unit of work, as the session's
 * word index ({@link SessionWordIndex}) is added to.
 */
final class MessageLog {
    static final int SLOT = 16;
    /** Messages read at a time when every stored message is read (a digest summed, a stale word index). */
    private static final int READ_CHUNK = 1_000;

    private final Path log;
    private final Path index;
    private final Path digestFile;
    private final SessionWordIndex words;
    private final FileRecords mapping;

    MessageLog(StoreLayout layout, UUID sessionId, FileRecords mapping) {
        this.log = layout.messageLog(sessionId);
        this.index = layout.messageIndex(sessionId);
        this.digestFile = layout.messageDigest(sessionId);
        this.words = new SessionWordIndex(layout, sessionId);
        this.mapping = mapping;
    }

    /**
     * Appends new messages (their slots are free, unless a bulk upsert filled them past the session's count: such
     * a slot's message is replaced), in one write to each file, and updates the session's digest.
     */
    void append(JournaledFiles files, List<Message> messages) throws IOException {
        long lowest = messages.stream().mapToLong(Message::sequenceNumber).min().orElseThrow();
        write(files, messages, lowest <= slotCount() ? storedAt(messages) : Map.of());
    }

    /**
     * Stores exact messages (bulk upsert): a free slot gets the message, a slot holding the same
     * id gets the new version, a slot holding another message's id is a duplicate key. A message equal to the one
     * stored changes nothing.
     */
    void upsert(JournaledFiles files, List<Message> messages) throws IOException {
        List<Message> changed = new ArrayList<>();
        Map<Long, Message> stored = storedAt(messages);
        for (Message m : messages) {
            Optional<Message> existing = Optional.ofNullable(stored.get(m.sequenceNumber()));
            if (existing.isPresent() && !existing.get().id().equals(m.id())) {
                throw new DuplicateKeyException(DuplicateKeyException.Key.MESSAGE_SEQUENCE_NUMBER);
            }
            if (existing.isEmpty() || !existing.get().equals(m)) {
                changed.add(m);
            }
        }
        if (!changed.isEmpty()) {
            write(files, changed, stored);
        }
    }

    /**
     * Writes messages and the digest that then holds: what is stored now, less each message a slot loses, plus the
     * new ones.
     *
     * @param stored the messages stored at (at least) the slots written, by sequence number
     */
    private void write(JournaledFiles files, List<Message> messages, Map<Long, Message> stored) throws IOException {
        SessionDigest digest = digest();
        Map<Long, Message> inSlot = new HashMap<>(stored);
        for (Message m : messages) {
            Message replaced = inSlot.put(m.sequenceNumber(), m);
            if (replaced != null) {
                digest.remove(replaced);
            }
            digest.add(m);
        }
        long logLengthBefore = Math.max(0, DurableFiles.sizeOrMissing(log));
        long logLength = writeLines(files, messages);
        files.rewrite(digestFile, digest.encode(logLength));
        words.add(files, messages, logLengthBefore, logLength, this);
    }

    /**
     * The stored messages that hold every word, each read once: those the session's word index names, checked
     * against their content, or, while the index is stale ({@link SessionWordIndex}), every stored message.
     *
     * @param queryWords the search's words, at least one
     * @return the matching messages, in no particular order
     */
    List<Message> matching(List<String> queryWords) throws IOException {
        Set<Long> candidates = words.candidates(queryWords, DurableFiles.sizeOrMissing(log));
        List<Message> found = new ArrayList<>();
        Consumer<Message> check = m -> {
            if (SearchWords.allIn(queryWords, m.content())) {
                found.add(m);
            }
        };
        if (candidates == null) {
            forEachStored(check);
        } else {
            readEach(candidates).forEach(check);
        }
        return found;
    }

    /** @return every stored message, in order */
    List<Message> readAll() throws IOException {
        return readRange(1, slotCount());
    }

    /**
     * The session's digest: its digest file when that is whole and sums the log as it is, else summed from the
     * stored messages (a directory an older Dal wrote, or a torn file). Reads only.
     */
    SessionDigest digest() throws IOException {
        byte[] bytes = DurableFiles.readOrNull(digestFile);
        if (bytes != null) {
            SessionDigest kept = SessionDigest.decode(bytes, Math.max(0, DurableFiles.sizeOrMissing(log)));
            if (kept != null) {
                return kept;
            }
        }
        SessionDigest summed = new SessionDigest();
        forEachStored(summed::add);
        return summed;
    }

    /** Reads every stored message in order, a chunk at a time, so a long session is never held whole. */
    private void forEachStored(Consumer<Message> action) throws IOException {
        long slots = slotCount();
        for (long from = 1; from <= slots; from += READ_CHUNK) {
            readRange(from, Math.min(slots, from + READ_CHUNK - 1)).forEach(action);
        }
    }

    /**
     * Writes messages' lines and slots.
     *
     * @return the log's length afterwards
     */
    private long writeLines(JournaledFiles files, List<Message> messages) throws IOException {
        ByteArrayOutputStream lines = new ByteArrayOutputStream();
        List<int[]> spans = new ArrayList<>();
        for (Message m : messages) {
            byte[] line = line(m);
            spans.add(new int[] {lines.size(), line.length});
            lines.write(line);
        }
        byte[] all = lines.toByteArray();
        long base = files.append(log, all);
        // Slots are written after the lines are durable: a slot never points at bytes not on disk.
        long first = messages.get(0).sequenceNumber();
        boolean consecutive = true;
        for (int i = 0; i < messages.size(); i++) {
            consecutive &= messages.get(i).sequenceNumber() == first + i;
        }
        if (consecutive) {
            ByteBuffer slots = ByteBuffer.allocate(SLOT * messages.size());
            for (int i = 0; i < messages.size(); i++) {
                putSlot(slots, base + spans.get(i)[0], spans.get(i)[1], all, spans.get(i)[0]);
            }
            files.writeAt(index, (first - 1) * SLOT, slots.array());
        } else {
            for (int i = 0; i < messages.size(); i++) {
                ByteBuffer slot = ByteBuffer.allocate(SLOT);
                putSlot(slot, base + spans.get(i)[0], spans.get(i)[1], all, spans.get(i)[0]);
                files.writeAt(index, (messages.get(i).sequenceNumber() - 1) * SLOT, slot.array());
            }
        }
        return base + all.length;
    }

    /** Reads what is stored at the messages' sequence numbers, in one pass over their range. */
    private Map<Long, Message> storedAt(List<Message> messages) throws IOException {
        long min = messages.stream().mapToLong(Message::sequenceNumber).min().orElse(1);
        long max = messages.stream().mapToLong(Message::sequenceNumber).max().orElse(0);
        Map<Long, Message> stored = new HashMap<>();
        if (max - min + 1 <= 4L * messages.size()) {
            readRange(min, max).forEach(m -> stored.put(m.sequenceNumber(), m));
        } else {
            for (Message m : messages) {
                read(m.sequenceNumber()).ifPresent(found -> stored.put(found.sequenceNumber(), found));
            }
        }
        return stored;
    }

    /** @return the message at a sequence number, if stored */
    Optional<Message> read(long sequenceNumber) throws IOException {
        List<Message> one = readRange(sequenceNumber, sequenceNumber);
        return one.isEmpty() ? Optional.empty() : Optional.of(one.get(0));
    }

    /** @return the stored messages with sequence numbers from {@code first} to {@code last}, in order */
    List<Message> readRange(long first, long last) throws IOException {
        if (first > last || first < 1) {
            return List.of();
        }
        try (FileChannel idx = FileChannel.open(index, StandardOpenOption.READ);
                FileChannel lines = FileChannel.open(log, StandardOpenOption.READ)) {
            long available = idx.size() / SLOT;
            long end = Math.min(last, available);
            if (first > end) {
                return List.of();
            }
            ByteBuffer slots =
                    ByteBuffer.wrap(DurableFiles.readAt(idx, (first - 1) * SLOT, (int) ((end - first + 1) * SLOT)));
            List<Message> out = new ArrayList<>((int) (end - first + 1));
            while (slots.hasRemaining()) {
                readLine(lines, slots).ifPresent(out::add);
            }
            return out;
        } catch (NoSuchFileException e) {
            return List.of();
        }
    }

    /** @return the stored messages at these sequence numbers, each read through its own slot */
    private List<Message> readEach(Set<Long> sequenceNumbers) throws IOException {
        List<Message> out = new ArrayList<>(sequenceNumbers.size());
        try (FileChannel idx = FileChannel.open(index, StandardOpenOption.READ);
                FileChannel lines = FileChannel.open(log, StandardOpenOption.READ)) {
            long available = idx.size() / SLOT;
            for (long n : sequenceNumbers) {
                if (n >= 1 && n <= available) {
                    ByteBuffer slot = ByteBuffer.wrap(DurableFiles.readAt(idx, (n - 1) * SLOT, SLOT));
                    readLine(lines, slot).ifPresent(out::add);
                }
            }
        } catch (NoSuchFileException e) {
            return List.of();
        }
        return out;
    }

    /** Reads the line one slot points at, checking its CRC; an empty slot holds nothing. */
    private Optional<Message> readLine(FileChannel lines, ByteBuffer slot) throws IOException {
        long offset = slot.getLong();
        int length = slot.getInt();
        int crc = slot.getInt();
        if (length == 0) {
            return Optional.empty();
        }
        byte[] line = DurableFiles.readAt(lines, offset, length);
        if (crc(line, 0, line.length) != crc) {
            throw new DataAccessException("A message line in the file store fails its checksum");
        }
        return Optional.of(mapping.read(line, Message.class, "message"));
    }

    /** @return how many slots the index has (the highest sequence number ever stored) */
    long slotCount() throws IOException {
        long size = DurableFiles.sizeOrMissing(index);
        return size < 0 ? 0 : size / SLOT;
    }

    private byte[] line(Message m) throws IOException {
        byte[] json = mapping.write(m);
        byte[] line = new byte[json.length + 1];
        System.arraycopy(json, 0, line, 0, json.length);
        line[json.length] = '\n';
        return line;
    }

    private static void putSlot(ByteBuffer slots, long offset, int length, byte[] source, int from) {
        slots.putLong(offset).putInt(length).putInt(crc(source, from, length));
    }

    private static int crc(byte[] bytes, int from, int length) {
        CRC32 crc = new CRC32();
        crc.update(bytes, from, length);
        return (int) crc.getValue();
    }
}
