package dev.dal.postgres.internal;

import dev.dal.api.bulk.IdRange;
import dev.dal.api.bulk.RangeDigest;
import dev.dal.api.spi.MessageDigests;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/**
 * Message range digests computed by PostgreSQL: one statement sums, per range, each message's hash over the
 * {@code (chat_session_id, sequence_number)} index. No message leaves the server. The hash is the one Dal stored
 * beside the row when it wrote it; a row without one (written before the digest columns existed, or by another
 * writer) is hashed in the statement from its digest form, built in SQL exactly as {@link MessageDigests#form} builds
 * it in Java (the jsonb text of the metadata is PostgreSQL's own).
 */
final class PostgresDigests {
    /** The digest form of a row of {@code messages}, the SQL twin of {@link MessageDigests#form}. */
    static final String FORM = "m.id::text || '|' || m.chat_session_id::text || '|' || m.sequence_number::text"
            + " || '|' || m.role || '|' || floor(extract(epoch FROM m.created_at) * 1000)::bigint::text"
            + " || '|' || coalesce(m.token_count::text, '') || '|' || CASE WHEN m.abuse_flagged THEN '1' ELSE '0' END"
            + " || '|' || octet_length(m.content)::text || '|' || m.content || m.metadata::text";

    /** The row's hash computed from its form, as {@code bit(128)}. */
    static final String COMPUTED_HASH = "('x' || md5(" + FORM + "))::bit(128)";

    /** One 32-bit lane of the hash, stored or computed, signed; PostgreSQL sums int4 into int8, exactly. */
    private static final String LANE =
            "coalesce(sum(CASE WHEN d.h IS NULL THEN d.l%1$d ELSE substring(d.h FROM %2$d FOR 32)::int END), 0)";

    // OFFSET 0 keeps the subquery from being flattened, which would compute the MD5 once per lane.
    private static final String DIGESTS = "SELECT r.i, count(d.s), "
            + LANE.formatted(1, 1) + ", " + LANE.formatted(2, 33) + ", " + LANE.formatted(3, 65) + ", "
            + LANE.formatted(4, 97) + ", min(d.s COLLATE \"C\"), max(d.s COLLATE \"C\") "
            + "FROM unnest(?::uuid[], ?::uuid[]) WITH ORDINALITY AS r(lo, hi, i) "
            + "LEFT JOIN LATERAL (SELECT m.digest_1 AS l1, m.digest_2 AS l2, m.digest_3 AS l3, m.digest_4 AS l4, "
            + "CASE WHEN m.digest_1 IS NULL OR m.digest_2 IS NULL OR m.digest_3 IS NULL OR m.digest_4 IS NULL "
            + "THEN " + COMPUTED_HASH + " END AS h, m.chat_session_id::text AS s "
            + "FROM messages m WHERE m.chat_session_id BETWEEN r.lo AND r.hi OFFSET 0) d ON true "
            + "GROUP BY r.i ORDER BY r.i";

    private PostgresDigests() {}

    static List<RangeDigest> digest(Handle h, List<IdRange> ranges) {
        Object[] firsts = new Object[ranges.size()];
        Object[] lasts = new Object[ranges.size()];
        for (int i = 0; i < ranges.size(); i++) {
            firsts[i] = ranges.get(i).first();
            lasts[i] = ranges.get(i).last();
        }
        List<RangeDigest> out = new ArrayList<>(ranges.size());
        try (PreparedStatement ps = h.getConnection().prepareStatement(DIGESTS)) {
            ps.setArray(1, h.getConnection().createArrayOf("uuid", firsts));
            ps.setArray(2, h.getConnection().createArrayOf("uuid", lasts));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    IdRange range = ranges.get(rs.getInt(1) - 1);
                    long[] sums = {rs.getLong(3), rs.getLong(4), rs.getLong(5), rs.getLong(6)};
                    String first = rs.getString(7);
                    String last = rs.getString(8);
                    out.add(new RangeDigest(
                            range,
                            rs.getLong(2),
                            MessageDigests.hex(sums),
                            first == null ? null : UUID.fromString(first),
                            last == null ? null : UUID.fromString(last)));
                }
            }
        } catch (SQLException e) {
            throw PostgresErrors.carry(e);
        }
        return out;
    }
}
