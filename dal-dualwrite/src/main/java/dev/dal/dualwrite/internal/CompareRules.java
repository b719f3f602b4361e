package dev.dal.dualwrite.internal;

import dev.dal.api.ConfigurationException;
import dev.dal.dualwrite.DualWriteSettings;
import dev.dal.dualwrite.FieldDifference;
import java.util.ArrayList;
import java.util.List;

/**
 * Which differences compare mode ignores ({@code MIGRATION_COMPARE_IGNORE}): JSON pointers into the
 * answer of a read, e.g. {@code /updatedAt} or {@code /metadata/trace}. A rule ignores the field it names
 * and everything below it; a segment {@code *} matches any one segment; and a rule applies to each record
 * of a list answer too ({@code /updatedAt} ignores {@code /3/updatedAt}).
 */
public final class CompareRules {
    private final List<String[]> ignored;

    private CompareRules(List<String[]> ignored) {
        this.ignored = ignored;
    }

    /** @return rules that ignore nothing */
    public static CompareRules none() {
        return new CompareRules(List.of());
    }

    /**
     * @param pointers JSON pointers, each starting with {@code /}
     * @return the rules
     * @throws ConfigurationException naming {@code MIGRATION_COMPARE_IGNORE} for a pointer without a leading slash
     */
    public static CompareRules ignoring(List<String> pointers) {
        List<String[]> rules = new ArrayList<>();
        for (String pointer : pointers) {
            if (!pointer.startsWith("/") || pointer.length() < 2) {
                throw new ConfigurationException(DualWriteSettings.COMPARE_IGNORE.name()
                        + " must list JSON pointers such as /updatedAt, got '" + pointer + "'");
            }
            rules.add(pointer.substring(1).split("/", -1));
        }
        return new CompareRules(List.copyOf(rules));
    }

    /**
     * @param differences what a comparison found
     * @return the differences no rule ignores
     */
    public List<FieldDifference> keep(List<FieldDifference> differences) {
        if (ignored.isEmpty() || differences.isEmpty()) {
            return differences;
        }
        return differences.stream().filter(d -> !ignores(d.path())).toList();
    }

    private boolean ignores(String path) {
        String[] segments =
                path.length() <= 1 ? new String[0] : path.substring(1).split("/", -1);
        for (String[] rule : ignored) {
            if (matches(rule, segments, 0)
                    || segments.length > 0 && isIndex(segments[0]) && matches(rule, segments, 1)) {
                return true;
            }
        }
        return false;
    }

    private static boolean matches(String[] rule, String[] segments, int from) {
        if (segments.length - from < rule.length) {
            return false;
        }
        for (int i = 0; i < rule.length; i++) {
            if (!rule[i].equals("*") && !rule[i].equals(segments[from + i])) {
                return false;
            }
        }
        return true;
    }

    private static boolean isIndex(String segment) {
        return !segment.isEmpty() && segment.chars().allMatch(Character::isDigit);
    }
}
