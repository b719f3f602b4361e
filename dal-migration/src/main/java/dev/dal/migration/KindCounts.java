package dev.dal.migration;

/**
 * A verification's figures for one kind.
 *
 * @param source records in the source
 * @param target records in the target
 * @param matching records equal in both (same canonical content)
 * @param missing records only in the source
 * @param extra records only in the target
 * @param differing records in both with different content
 */
public record KindCounts(long source, long target, long matching, long missing, long extra, long differing) {

    /** @return whether the kind is the same in both stores */
    public boolean equal() {
        return missing == 0 && extra == 0 && differing == 0;
    }
}
