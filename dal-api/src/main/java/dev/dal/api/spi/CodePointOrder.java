package dev.dal.api.spi;

import java.util.Comparator;

/**
 * Strings in Unicode code point order, the order every store lists memory types and keys in (and the order of
 * their UTF-8 bytes). It differs from {@link String#compareTo}, which compares UTF-16 units, only for characters
 * outside the Basic Multilingual Plane: an emoji sorts after every BMP character here.
 */
public final class CodePointOrder {
    /** Compares strings by {@link #compare}. */
    public static final Comparator<String> COMPARATOR = CodePointOrder::compare;

    private CodePointOrder() {}

    /**
     * Compares two strings code point by code point; a string that is a prefix of the other sorts first.
     *
     * @param a a string, not {@code null}
     * @param b another string, not {@code null}
     * @return negative, zero or positive as {@code a} sorts before, with or after {@code b}
     */
    public static int compare(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }
}
