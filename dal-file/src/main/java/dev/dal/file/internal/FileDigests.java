package dev.dal.file.internal;

import dev.dal.api.bulk.IdRange;
import dev.dal.api.bulk.RangeDigest;
import dev.dal.api.spi.MessageDigests;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;

/**
 * Range digests from the sessions' {@code messages.digest} files: each session in a range is added pre-summed,
 * so no message is read (but those of a session whose digest file is missing, torn or stale, which are summed
 * on the spot and not written back: a digest is a read). The session directories are listed once per call.
 */
final class FileDigests {
    private FileDigests() {}

    /**
     * @param records the store's files, read under the store lock
     * @param ranges the ranges, each digested alone (they may overlap)
     * @return one digest per range, in the order given
     */
    static List<RangeDigest> digest(RecordDirectory records, List<IdRange> ranges) throws IOException {
        List<UUID> sessions = new ArrayList<>(records.idsIn(records.layout().sessionsDir()));
        sessions.sort(IdRange::compare);
        SessionDigest[] summed = new SessionDigest[sessions.size()];
        List<RangeDigest> out = new ArrayList<>(ranges.size());
        for (IdRange range : ranges) {
            MessageDigests.Accumulator sum = new MessageDigests.Accumulator();
            for (int i = firstIn(sessions, range); i < sessions.size() && range.contains(sessions.get(i)); i++) {
                if (summed[i] == null) {
                    summed[i] = records.messages(sessions.get(i)).digest();
                }
                summed[i].addTo(sum, sessions.get(i));
            }
            out.add(sum.digest(range));
        }
        return out;
    }

    /** @return the position of the first session at or after the range's start */
    private static int firstIn(List<UUID> sessions, IdRange range) {
        int at = Collections.binarySearch(sessions, range.first(), IdRange::compare);
        return at >= 0 ? at : -at - 1;
    }
}
