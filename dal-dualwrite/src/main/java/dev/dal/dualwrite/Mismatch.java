package dev.dal.dualwrite;

import java.time.Instant;
import java.util.List;

/**
 * A compared read whose answers differed ({@link ReadFrom#COMPARE}).
 *
 * @param operation the read, e.g. {@code "getUser"}
 * @param ids the arguments that name what was read (ids, chat ids, memory keys)
 * @param differences every differing field, primary value next to secondary value
 * @param at when the difference was seen
 */
public record Mismatch(String operation, List<String> ids, List<FieldDifference> differences, Instant at) {

    /**
     * Copies the lists.
     *
     * @param operation the read, e.g. {@code "getUser"}
     * @param ids the arguments that name what was read (ids, chat ids, memory keys)
     * @param differences every differing field, primary value next to secondary value
     * @param at when the difference was seen
     */
    public Mismatch {
        ids = List.copyOf(ids);
        differences = List.copyOf(differences);
    }
}
