package dev.dal.migration.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.TemporalAccessor;
import java.util.Locale;
import java.util.Optional;

/**
 * How a legacy store wrote its timestamps. {@code auto} (the default) reads ISO-8601 text with or
 * without a zone (a space instead of {@code T} too, as PHP's {@code date('Y-m-d H:i:s')} and Python's
 * {@code str(datetime)} write) and numbers as epoch seconds, or milliseconds when too large for
 * seconds; {@code iso}, {@code epoch-seconds} and {@code epoch-millis} accept only that form; any other
 * format is a {@link DateTimeFormatter} pattern such as {@code dd/MM/yyyy HH:mm}. Text without a
 * zone is in {@code zone} (UTC unless a mapping says otherwise).
 */
public final class LegacyTime {
    private static final double LARGEST_SECONDS = 1e11;

    private final String format;
    private final DateTimeFormatter pattern;
    private final ZoneId zone;

    private LegacyTime(String format, DateTimeFormatter pattern, ZoneId zone) {
        this.format = format;
        this.pattern = pattern;
        this.zone = zone;
    }

    /** @return {@code auto} in UTC */
    public static LegacyTime auto() {
        return new LegacyTime("auto", null, ZoneId.of("UTC"));
    }

    /**
     * @param format {@code auto}, {@code iso}, {@code epoch-seconds}, {@code epoch-millis} or a pattern
     * @param zone a zone id for text without a zone, e.g. {@code UTC} or {@code Europe/Berlin}
     * @return the format
     * @throws IllegalArgumentException naming what is wrong with the pattern or zone
     */
    public static LegacyTime of(String format, String zone) {
        ZoneId z;
        try {
            z = ZoneId.of(zone);
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("is not a time zone id: '" + zone + "'", e);
        }
        String lower = format.toLowerCase(Locale.ROOT);
        return switch (lower) {
            case "auto", "iso", "epoch-seconds", "epoch-millis" -> new LegacyTime(lower, null, z);
            default -> {
                try {
                    yield new LegacyTime(format, DateTimeFormatter.ofPattern(format, Locale.ROOT), z);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(
                            "is not auto, iso, epoch-seconds, epoch-millis or a" + " date-time pattern: "
                                    + e.getMessage(),
                            e);
                }
            }
        };
    }

    /**
     * @param value a field's value
     * @return the instant; empty for a missing value, JSON null or blank text
     * @throws IllegalArgumentException with the rule the value broke
     */
    public Optional<Instant> parse(JsonNode value) {
        if (value == null
                || value.isNull()
                || value.isMissingNode()
                || (value.isTextual() && value.asText().isBlank())) {
            return Optional.empty();
        }
        if (value.isNumber() && acceptsNumbers()) {
            return Optional.of(number(value.asDouble()));
        }
        if (!value.isTextual() || format.startsWith("epoch")) {
            throw new IllegalArgumentException("must be a timestamp (" + describe() + ")");
        }
        try {
            return Optional.of(
                    pattern != null
                            ? patterned(value.asText().trim())
                            : iso(value.asText().trim()));
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("is not a timestamp (" + describe() + "): '" + value.asText() + "'", e);
        }
    }

    private boolean acceptsNumbers() {
        return format.equals("auto") || format.startsWith("epoch");
    }

    private Instant number(double n) {
        return switch (format) {
            case "epoch-seconds" -> Instant.ofEpochMilli(Math.round(n * 1000));
            case "epoch-millis" -> Instant.ofEpochMilli((long) n);
            // Seconds (Python's time.time(), PHP's time()) or, when implausibly large for seconds, milliseconds.
            default ->
                n > LARGEST_SECONDS ? Instant.ofEpochMilli((long) n) : Instant.ofEpochMilli(Math.round(n * 1000));
        };
    }

    private Instant iso(String text) {
        String t = text.replace(' ', 'T');
        try {
            return OffsetDateTime.parse(t).toInstant();
        } catch (DateTimeParseException e) {
            return LocalDateTime.parse(t).atZone(zone).toInstant();
        }
    }

    private Instant patterned(String text) {
        TemporalAccessor parsed = pattern.parse(text);
        if (parsed.isSupported(java.time.temporal.ChronoField.OFFSET_SECONDS)
                || parsed.query(java.time.temporal.TemporalQueries.zone()) != null) {
            return ZonedDateTime.from(parsed).toInstant();
        }
        if (!parsed.isSupported(java.time.temporal.ChronoField.HOUR_OF_DAY)) {
            return LocalDate.from(parsed).atStartOfDay(zone).toInstant();
        }
        return LocalDateTime.from(parsed).atZone(zone).toInstant();
    }

    private String describe() {
        return switch (format) {
            case "auto" -> "ISO-8601 text or epoch seconds";
            case "iso" -> "ISO-8601 text";
            case "epoch-seconds" -> "epoch seconds";
            case "epoch-millis" -> "epoch milliseconds";
            default -> "pattern " + format;
        };
    }
}
