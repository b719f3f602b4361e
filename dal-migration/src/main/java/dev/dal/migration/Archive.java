package dev.dal.migration;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dal.api.DataAccess;
import dev.dal.api.JsonValues;
import dev.dal.api.ValidationException;
import dev.dal.api.bulk.ScanBatch;
import dev.dal.migration.internal.CanonicalJson;
import dev.dal.migration.internal.KindAccess;
import dev.dal.migration.internal.PrivateFiles;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Dal's portable archive: every record of a store as NDJSON, readable by any backend, gzip when
 * the file name ends in {@code .gz}. The format (version 4), one JSON object per line:
 * <pre>
 * {"format":"dal-archive","version":4,"createdAt":"2025-01-01T00:00:00Z","source":"file:./data"}
 * {"kind":"users","record":{...User...}}
 * {"kind":"sessions","record":{...}}   (all users first, then sessions, messages, memory, votes, token_usage)
 * {"end":true,"counts":{"users":2,"sessions":1,"messages":9,"memory":3,"votes":4,"token_usage":5},"sha256":"..."}
 * </pre>
 * Records are in the canonical JSON of {@link dev.dal.api.JsonValues}' mapper (field names as in
 * the model records, ISO-8601 UTC instants). The trailer's {@code sha256} covers every record line
 * (its UTF-8 bytes followed by a newline), so truncation or tampering is found before import.
 * Version 2 added the records' {@code version}; a version 1 archive is still read, its users, sessions and
 * memory entries at version 1. Version 3 added message votes, version 4 token usage; an archive of an older version holds none.
 */
public final class Archive {
    /** The header's {@code format} value. */
    public static final String FORMAT = "dal-archive";
    /** The version this code writes. */
    public static final int VERSION = 4;
    /** The first version that carries votes. */
    private static final int FIRST_WITH_VOTES = 3;
    /** The first version that carries token usage. */
    private static final int FIRST_WITH_TOKEN_USAGE = 4;
    /** The oldest version this code reads. */
    private static final int OLDEST_READ = 1;

    private static final ObjectMapper MAPPER = JsonValues.newMapper();

    private Archive() {}

    /**
     * Exports a store to a file (gzip when the name ends in {@code .gz}); the file appears only
     * when complete.
     *
     * @param store the store
     * @param file the archive to write
     * @param sourceName how the header names the store (redacted)
     * @param batchSize records per scan
     * @return records written per kind
     */
    public static Map<RecordType, Long> export(DataAccess store, Path file, String sourceName, int batchSize) {
        Path tmp = file.resolveSibling(file.getFileName() + ".partial");
        try {
            Map<RecordType, Long> counts;
            try (OutputStream out = open(PrivateFiles.newOutputStream(tmp), file)) {
                counts = export(store, out, sourceName, batchSize);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            return counts;
        } catch (IOException e) {
            throw new UncheckedIOException("The archive " + file + " could not be written", e);
        }
    }

    /**
     * Exports a store to a stream (not closed).
     *
     * @param store the store
     * @param out where to write the NDJSON
     * @param sourceName how the header names the store
     * @param batchSize records per scan
     * @return records written per kind
     * @throws IOException when the stream fails
     */
    public static Map<RecordType, Long> export(DataAccess store, OutputStream out, String sourceName, int batchSize)
            throws IOException {
        Writer writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
        MessageDigest digest = sha256();
        ObjectNode header = MAPPER.createObjectNode();
        header.put("format", FORMAT)
                .put("version", VERSION)
                .put("createdAt", Instant.now().toString())
                .put("source", sourceName);
        writer.write(JsonValues.write(header) + "\n");
        Map<RecordType, Long> counts = new EnumMap<>(RecordType.class);
        for (RecordType kind : RecordType.values()) {
            long n = 0;
            for (ScanBatch<?> batch : KindAccess.of(kind).batches(store.bulk(), null, batchSize)) {
                for (Object record : batch.items()) {
                    ObjectNode line = MAPPER.createObjectNode();
                    line.put("kind", kind.wireName());
                    line.set("record", CanonicalJson.toTree(record));
                    String text = JsonValues.write(line) + "\n";
                    digest.update(text.getBytes(StandardCharsets.UTF_8));
                    writer.write(text);
                    n++;
                }
            }
            counts.put(kind, n);
        }
        ObjectNode trailer = MAPPER.createObjectNode();
        trailer.put("end", true);
        ObjectNode countNode = trailer.putObject("counts");
        counts.forEach((kind, n) -> countNode.put(kind.wireName(), n));
        trailer.put("sha256", HexFormat.of().formatHex(digest.digest()));
        writer.write(JsonValues.write(trailer) + "\n");
        writer.flush();
        return counts;
    }

    /**
     * Checks a whole archive (header, every record, the trailer's counts and checksum) without
     * writing anything, e.g. before a target store is set up for it.
     *
     * @param file the archive (gzip when the name ends in {@code .gz})
     * @return records per kind
     * @throws ValidationException naming the line when the archive is malformed
     */
    public static Map<RecordType, Long> check(Path file) {
        return read(file, null, 1);
    }

    /**
     * Imports an archive into a store: first checks the whole file (header, every record, the
     * trailer's counts and checksum) and writes nothing if anything is wrong; then upserts the
     * records in batches, parents first. Importing the same archive twice changes nothing.
     *
     * @param file the archive (gzip when the name ends in {@code .gz})
     * @param store the store to write
     * @param batchSize records per write
     * @return records written per kind
     * @throws ValidationException naming the line when the archive is malformed
     */
    public static Map<RecordType, Long> importInto(Path file, DataAccess store, int batchSize) {
        read(file, null, batchSize);
        return read(file, store, batchSize);
    }

    private static Map<RecordType, Long> read(Path file, DataAccess store, int batchSize) {
        Map<RecordType, Long> counts = new EnumMap<>(RecordType.class);
        for (RecordType kind : RecordType.values()) {
            counts.put(kind, 0L);
        }
        MessageDigest digest = sha256();
        List<Object> pending = new ArrayList<>();
        RecordType pendingKind = null;
        int lastKind = 0;
        try (BufferedReader in =
                new BufferedReader(new InputStreamReader(openIn(file), StandardCharsets.UTF_8), 1 << 16)) {
            String line = in.readLine();
            long lineNo = 1;
            JsonNode header = parse(line, lineNo);
            int version = header.path("version").asInt();
            if (!FORMAT.equals(header.path("format").asText()) || version < OLDEST_READ || version > VERSION) {
                throw new ValidationException(
                        "archive",
                        "line 1 must be a " + FORMAT + " header of version " + OLDEST_READ + " to " + VERSION);
            }
            JsonNode trailer = null;
            while ((line = in.readLine()) != null) {
                lineNo++;
                if (trailer != null) {
                    throw new ValidationException("archive", "line " + lineNo + " follows the end line");
                }
                JsonNode node = parse(line, lineNo);
                if (node.path("end").asBoolean(false)) {
                    trailer = node;
                    continue;
                }
                digest.update((line + "\n").getBytes(StandardCharsets.UTF_8));
                RecordType kind;
                try {
                    kind = RecordType.fromWireName(node.path("kind").asText());
                } catch (IllegalArgumentException e) {
                    throw new ValidationException("archive", "line " + lineNo + " has no known kind");
                }
                if (kind.ordinal() < lastKind) {
                    throw new ValidationException(
                            "archive",
                            "line " + lineNo + ": " + kind.wireName() + " must come before "
                                    + RecordType.values()[lastKind].wireName());
                }
                lastKind = kind.ordinal();
                Object record;
                try {
                    record = CanonicalJson.fromTree(kind, node.path("record"));
                } catch (ValidationException e) {
                    throw new ValidationException("archive", "line " + lineNo + ": " + e.getMessage());
                }
                counts.merge(kind, 1L, Long::sum);
                if (store != null) {
                    if (pendingKind != kind || pending.size() >= batchSize) {
                        flush(store, pendingKind, pending);
                        pendingKind = kind;
                    }
                    pending.add(record);
                }
            }
            if (trailer == null) {
                throw new ValidationException("archive", "has no end line: it is truncated");
            }
            for (RecordType kind : RecordType.values()) {
                boolean absentBefore = kind == RecordType.VOTES && version < FIRST_WITH_VOTES
                        || kind == RecordType.TOKEN_USAGE && version < FIRST_WITH_TOKEN_USAGE;
                long expected = trailer.path("counts").path(kind.wireName()).asLong(absentBefore ? 0 : -1);
                if (expected != counts.get(kind)) {
                    throw new ValidationException(
                            "archive",
                            "end line counts " + expected + " " + kind.wireName() + " but the archive holds "
                                    + counts.get(kind));
                }
            }
            if (!HexFormat.of()
                    .formatHex(digest.digest())
                    .equals(trailer.path("sha256").asText())) {
                throw new ValidationException("archive", "checksum does not match its records: it was changed");
            }
            if (store != null) {
                flush(store, pendingKind, pending);
            }
            return counts;
        } catch (IOException e) {
            throw new ValidationException("archive", "could not be read: " + e.getMessage());
        }
    }

    private static void flush(DataAccess store, RecordType kind, List<Object> pending) {
        if (kind != null && !pending.isEmpty()) {
            upsert(KindAccess.of(kind), store, pending);
            pending.clear();
        }
    }

    private static <T> void upsert(KindAccess<T> access, DataAccess store, List<?> records) {
        access.upsert(store.bulk(), access.typed(records));
    }

    private static JsonNode parse(String line, long lineNo) {
        if (line == null) {
            throw new ValidationException("archive", "is empty");
        }
        try {
            JsonNode node = MAPPER.readTree(line);
            if (node == null || !node.isObject()) {
                throw new ValidationException("archive", "line " + lineNo + " is not a JSON object");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new ValidationException("archive", "line " + lineNo + " is not JSON: " + e.getOriginalMessage());
        }
    }

    private static OutputStream open(OutputStream raw, Path name) throws IOException {
        return name.getFileName().toString().endsWith(".gz") ? new GZIPOutputStream(raw, 1 << 16) : raw;
    }

    private static InputStream openIn(Path file) throws IOException {
        InputStream raw = Files.newInputStream(file);
        return file.getFileName().toString().endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
