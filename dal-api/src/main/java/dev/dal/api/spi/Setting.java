package dev.dal.api.spi;

import dev.dal.api.ConfigurationException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * One named setting, as a backend declares it: its name in the environment, its documented
 * default, how its text is parsed and checked, whether its value is secret, and whether it says
 * where the store is. Immutable; a parse failure is a {@link ConfigurationException} that names
 * the setting and the rule, never a secret value.
 *
 * <p>A value is read trimmed, and a blank value counts as not set; a {@link #secret(String) secret}
 * is read exactly as given.
 *
 * @param <T> the parsed value's type
 */
public final class Setting<T> {

    /** How a setting's value may be shown in {@code toString()}, messages and command output. */
    public enum Shown {
        /** As given. */
        AS_IS,
        /** Never: shown as {@code ****}. */
        MASKED,
        /** As given, with any password in the URL's user-info or query masked. */
        CREDENTIALS_MASKED;

        /**
         * Shows a value this way.
         *
         * @param value the value, may be {@code null}
         * @return the value fit for logs and messages, or {@code null}
         */
        public String display(String value) {
            if (value == null) {
                return null;
            }
            return switch (this) {
                case AS_IS -> value;
                case MASKED -> "****";
                case CREDENTIALS_MASKED -> SettingDisplay.maskCredentials(value);
            };
        }
    }

    private final String name;
    private final String defaultText;
    private final Shown shown;
    private final boolean locating;
    private final Function<String, T> parse;
    private final T defaultValue;

    private Setting(
            String name, String defaultText, Shown shown, boolean locating, Function<String, T> parse, T defaultValue) {
        this.name = requireName(name);
        this.defaultText = defaultText;
        this.shown = Objects.requireNonNull(shown, "shown");
        this.locating = locating;
        this.parse = Objects.requireNonNull(parse, "parse");
        this.defaultValue = defaultValue;
    }

    /**
     * A setting of free text.
     *
     * @param name the setting's name, upper case with underscores, e.g. {@code "DB_NAME"}
     * @return the setting, empty when not set
     */
    public static Setting<Optional<String>> text(String name) {
        return new Setting<>(name, null, Shown.AS_IS, false, Optional::of, Optional.empty());
    }

    /**
     * A secret, such as a password: read exactly as given and never shown.
     *
     * @param name the setting's name
     * @return the setting, empty when not set
     */
    public static Setting<Optional<String>> secret(String name) {
        return new Setting<>(name, null, Shown.MASKED, false, Optional::of, Optional.empty());
    }

    /**
     * A URL or connection string that may hold credentials, shown with its password masked.
     *
     * @param name the setting's name
     * @return the setting, empty when not set
     */
    public static Setting<Optional<String>> credentialUrl(String name) {
        return new Setting<>(name, null, Shown.CREDENTIALS_MASKED, false, Optional::of, Optional.empty());
    }

    /**
     * A whole number in a range.
     *
     * @param name the setting's name
     * @param defaultValue the value when not set
     * @param min the smallest value accepted
     * @param max the largest value accepted
     * @return the setting
     */
    public static Setting<Integer> wholeNumber(String name, int defaultValue, int min, int max) {
        return new Setting<>(
                name,
                String.valueOf(defaultValue),
                Shown.AS_IS,
                false,
                v -> parseWholeNumber(name, v, min, max),
                defaultValue);
    }

    /**
     * An optional whole number in a range, e.g. a port whose default depends on other settings.
     *
     * @param name the setting's name
     * @param min the smallest value accepted
     * @param max the largest value accepted
     * @return the setting, empty when not set
     */
    public static Setting<Optional<Integer>> optionalWholeNumber(String name, int min, int max) {
        return new Setting<>(
                name,
                null,
                Shown.AS_IS,
                false,
                v -> Optional.of(parseWholeNumber(name, v, min, max)),
                Optional.empty());
    }

    /**
     * A comma-separated list, its items trimmed; when set it must hold at least one item.
     *
     * @param name the setting's name
     * @param item what one item is, for the message, e.g. {@code "host"}
     * @return the setting, empty when not set
     */
    public static Setting<List<String>> list(String name, String item) {
        Objects.requireNonNull(item, "item");
        return new Setting<>(
                name,
                null,
                Shown.AS_IS,
                false,
                v -> {
                    List<String> items = Arrays.stream(v.split(","))
                            .map(String::trim)
                            .filter(i -> !i.isEmpty())
                            .toList();
                    if (items.isEmpty()) {
                        throw new ConfigurationException(name + " must name at least one " + item);
                    }
                    return items;
                },
                List.of());
    }

    /**
     * A flag: {@code true}, {@code 1}, {@code yes}, {@code on} or {@code false}, {@code 0}, {@code no},
     * {@code off}, in any case.
     *
     * @param name the setting's name
     * @param defaultValue the value when not set
     * @return the setting
     */
    public static Setting<Boolean> flag(String name, boolean defaultValue) {
        return new Setting<>(
                name, String.valueOf(defaultValue), Shown.AS_IS, false, v -> parseFlag(name, v), defaultValue);
    }

    /**
     * A duration of zero or more, written as whole seconds ({@code 30}) or ISO-8601 ({@code PT0.5S}).
     *
     * @param name the setting's name
     * @param defaultValue the value when not set
     * @return the setting
     */
    public static Setting<Duration> duration(String name, Duration defaultValue) {
        Objects.requireNonNull(defaultValue, "defaultValue");
        return new Setting<>(
                name, seconds(defaultValue), Shown.AS_IS, false, v -> parseDuration(name, v), defaultValue);
    }

    /**
     * A duration longer than zero, written as for {@link #duration(String, Duration)}.
     *
     * @param name the setting's name
     * @param defaultValue the value when not set; longer than zero
     * @return the setting
     */
    public static Setting<Duration> positiveDuration(String name, Duration defaultValue) {
        Objects.requireNonNull(defaultValue, "defaultValue");
        return new Setting<>(
                name,
                seconds(defaultValue),
                Shown.AS_IS,
                false,
                v -> {
                    Duration parsed = parseDuration(name, v);
                    if (parsed.isZero()) {
                        throw new ConfigurationException(name + " must be longer than zero");
                    }
                    return parsed;
                },
                defaultValue);
    }

    /**
     * A file system path.
     *
     * @param name the setting's name
     * @param defaultValue the value when not set, or {@code null} for none
     * @return the setting
     */
    public static Setting<Path> path(String name, Path defaultValue) {
        return new Setting<>(
                name,
                defaultValue == null ? null : defaultValue.toString(),
                Shown.AS_IS,
                false,
                v -> parsePath(name, v),
                defaultValue);
    }

    /**
     * A setting with a parser of its own.
     *
     * @param name the setting's name
     * @param defaultText the documented default, or {@code null} when there is none
     * @param parse turns a trimmed, non-blank value into the setting's value; throws a
     *     {@link ConfigurationException} naming the setting and its rule when the value is malformed
     * @param defaultValue the value when not set
     * @param <V> the value's type
     * @return the setting
     */
    public static <V> Setting<V> of(String name, String defaultText, Function<String, V> parse, V defaultValue) {
        return new Setting<>(name, defaultText, Shown.AS_IS, false, parse, defaultValue);
    }

    /**
     * Marks the setting as one that says where the store is (a URL, a host, a directory, the
     * credentials): a store named by a URI replaces every such setting of the environment.
     *
     * @return a copy of this setting, so marked
     */
    public Setting<T> locating() {
        return new Setting<>(name, defaultText, shown, true, parse, defaultValue);
    }

    /** @return the setting's name in the environment */
    public String name() {
        return name;
    }

    /** @return the documented default as text, if the setting has one */
    public Optional<String> defaultText() {
        return Optional.ofNullable(defaultText);
    }

    /** @return how the value may be shown */
    public Shown shown() {
        return shown;
    }

    /** @return whether the value is secret and never shown */
    public boolean secret() {
        return shown == Shown.MASKED;
    }

    /** @return whether the setting says where the store is (see {@link #locating()}) */
    public boolean isLocating() {
        return locating;
    }

    /**
     * Reads this setting from raw settings.
     *
     * @param settings setting names to values, as in the environment
     * @return the parsed value, or the default when the setting is absent or blank
     * @throws ConfigurationException naming the setting when its value is malformed
     */
    public T read(Map<String, String> settings) {
        String raw = settings.get(name);
        if (raw == null) {
            return defaultValue;
        }
        String value = secret() ? raw : raw.trim();
        return value.isEmpty() ? defaultValue : parse.apply(value);
    }

    /**
     * Whether a setting's value is set in raw settings (present and not blank), to tell a value given
     * from a default.
     *
     * @param settings setting names to values
     * @return whether the setting is given
     */
    public boolean isSetIn(Map<String, String> settings) {
        String raw = settings.get(name);
        return raw != null && !raw.isBlank();
    }

    /**
     * Shows a value of this setting as {@link #shown()} allows.
     *
     * @param value the value, may be {@code null}
     * @return the value fit for logs and messages
     */
    public String display(String value) {
        return shown.display(value);
    }

    @Override
    public String toString() {
        return name + (defaultText == null ? "" : " (default " + defaultText + ")") + (secret() ? " (secret)" : "");
    }

    // ---- the parsing rules every setting of a kind shares ----

    private static String requireName(String name) {
        Objects.requireNonNull(name, "name");
        if (!name.matches("[A-Z][A-Z0-9_]*")) {
            throw new IllegalArgumentException(
                    "A setting's name is upper case letters, digits and underscores," + " starting with a letter");
        }
        return name;
    }

    private static int parseWholeNumber(String name, String value, int min, int max) {
        try {
            int parsed = Integer.parseInt(value);
            if (parsed >= min && parsed <= max) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // reported below, with the rule
        }
        throw new ConfigurationException(
                name + " must be a whole number from " + min + " to " + max + ", got '" + value + "'");
    }

    private static boolean parseFlag(String name, String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes", "on" -> true;
            case "false", "0", "no", "off" -> false;
            default -> throw new ConfigurationException(name + " must be true or false, got '" + value + "'");
        };
    }

    private static Duration parseDuration(String name, String value) {
        try {
            Duration parsed = value.chars().allMatch(Character::isDigit)
                    ? Duration.ofSeconds(Long.parseLong(value))
                    : Duration.parse(value);
            if (!parsed.isNegative()) {
                return parsed;
            }
        } catch (NumberFormatException | DateTimeParseException e) {
            // reported below, with the rule
        }
        throw new ConfigurationException(name + " must be a whole number of seconds or an ISO-8601 duration"
                + " such as PT30S, got '" + value + "'");
    }

    private static Path parsePath(String name, String value) {
        try {
            return Paths.get(value);
        } catch (RuntimeException e) {
            throw new ConfigurationException(name + " is not a valid path: " + value);
        }
    }

    private static String seconds(Duration duration) {
        return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + " s" : duration.toString();
    }
}
