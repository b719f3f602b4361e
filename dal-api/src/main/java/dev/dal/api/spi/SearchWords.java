package dev.dal.api.spi;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;

/**
 * The one word rule of full-text search, for stores that index or match in Java and for the checks at
 * the API edge: a word is a maximal run of Unicode letters, digits and combining marks; every other
 * character separates words; words compare in lower case ({@link Locale#ROOT}).
 */
public final class SearchWords {
    private SearchWords() {}

    /**
     * @param text any text, may be {@code null}
     * @return its distinct words, lower-cased, in the order they first appear; empty for {@code null}
     */
    public static List<String> of(String text) {
        return new ArrayList<>(new LinkedHashSet<>(every(text)));
    }

    /**
     * @param text any text, may be {@code null}
     * @return every word of it, lower-cased, repeats included, in order (for stores that count occurrences)
     */
    public static List<String> every(String text) {
        List<String> words = new ArrayList<>();
        if (text == null) {
            return words;
        }
        int start = -1;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            if (isWordCodePoint(cp)) {
                if (start < 0) {
                    start = i;
                }
            } else if (start >= 0) {
                words.add(text.substring(start, i).toLowerCase(Locale.ROOT));
                start = -1;
            }
            i += Character.charCount(cp);
        }
        if (start >= 0) {
            words.add(text.substring(start).toLowerCase(Locale.ROOT));
        }
        return words;
    }

    /**
     * @param queryWords the words of a search, as {@link #of} returns them
     * @param content a message's content
     * @return whether the content holds every one of the words as a whole word
     */
    public static boolean allIn(List<String> queryWords, String content) {
        return !queryWords.isEmpty() && of(content).containsAll(queryWords);
    }

    /**
     * @param queryWords the words of a search
     * @param content a message's content
     * @return how often the words occur in the content, each occurrence counted
     */
    public static int occurrences(List<String> queryWords, String content) {
        int count = 0;
        for (String word : every(content)) {
            if (queryWords.contains(word)) {
                count++;
            }
        }
        return count;
    }

    private static boolean isWordCodePoint(int cp) {
        if (Character.isLetterOrDigit(cp)) {
            return true;
        }
        int type = Character.getType(cp);
        return type == Character.NON_SPACING_MARK || type == Character.COMBINING_SPACING_MARK;
    }
}
