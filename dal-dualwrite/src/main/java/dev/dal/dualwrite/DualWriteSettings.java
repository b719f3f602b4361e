package dev.dal.dualwrite;

import dev.dal.api.ConfigurationException;
import dev.dal.api.DalConfig;
import dev.dal.api.spi.Setting;
import dev.dal.api.spi.SettingsView;
import dev.dal.dualwrite.internal.CompareRules;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * How {@link DualWriteDataAccess} behaves; read from the configuration with {@link #from(DalConfig)}.
 *
 * @param readFrom where reads come from ({@code MIGRATION_READ_FROM})
 * @param failurePolicy what a failed secondary write does ({@code MIGRATION_SECONDARY_FAILURE})
 * @param compareSampleRate fraction of reads compared in {@link ReadFrom#COMPARE} mode, 0 to 1
 *     ({@code MIGRATION_COMPARE_SAMPLE_RATE})
 * @param secondaryTimeout longest a caller waits for the secondary ({@code MIGRATION_SECONDARY_TIMEOUT})
 * @param journalDir the repair journal's directory, or {@code null} for none ({@code MIGRATION_REPAIR_JOURNAL_DIR});
 *     required by {@link SecondaryFailurePolicy#RECORD}
 * @param mismatchesKept how many recent mismatches {@link DualWriteDataAccess#recentMismatches()} keeps
 * @param kinds which kinds of record are moved ({@code MIGRATION_DUAL_WRITE_KINDS}); all by default
 * @param compareIgnore JSON pointers of fields compare mode ignores ({@code MIGRATION_COMPARE_IGNORE})
 * @param journalLockWait the longest one journal append or removal waits for the journal's lock
 *     ({@code DB_QUERY_TIMEOUT})
 */
public record DualWriteSettings(
        ReadFrom readFrom,
        SecondaryFailurePolicy failurePolicy,
        double compareSampleRate,
        Duration secondaryTimeout,
        Path journalDir,
        int mismatchesKept,
        Set<DualWriteKind> kinds,
        List<String> compareIgnore,
        Duration journalLockWait) {

    /**
     * Settings that move every kind and ignore no field.
     *
     * @param readFrom where reads come from
     * @param failurePolicy what a failed secondary write does
     * @param compareSampleRate fraction of reads compared in compare mode
     * @param secondaryTimeout longest a caller waits for the secondary
     * @param journalDir the repair journal's directory, or {@code null}
     * @param mismatchesKept how many recent mismatches are kept
     */
    public DualWriteSettings(
            ReadFrom readFrom,
            SecondaryFailurePolicy failurePolicy,
            double compareSampleRate,
            Duration secondaryTimeout,
            Path journalDir,
            int mismatchesKept) {
        this(
                readFrom,
                failurePolicy,
                compareSampleRate,
                secondaryTimeout,
                journalDir,
                mismatchesKept,
                DualWriteKind.all(),
                List.of(),
                Duration.ofSeconds(30));
    }

    /** How many recent mismatches are kept by default. */
    public static final int DEFAULT_MISMATCHES_KEPT = 100;

    /** Where dual-write reads come from: {@code primary} (default), {@code secondary} or {@code compare}. */
    public static final Setting<ReadFrom> READ_FROM =
            Setting.of("MIGRATION_READ_FROM", "primary", ReadFrom::parse, ReadFrom.PRIMARY);
    /**
     * What a failed secondary write does: {@code fail} (default: the caller gets an error saying the primary
     * committed) or {@code record} (the call succeeds and the divergence goes to the repair journal).
     */
    public static final Setting<SecondaryFailurePolicy> SECONDARY_FAILURE = Setting.of(
            "MIGRATION_SECONDARY_FAILURE", "fail", SecondaryFailurePolicy::parse, SecondaryFailurePolicy.FAIL);
    /** Fraction of reads compared in {@code compare} mode, from 0 to 1, default 1. */
    public static final Setting<Double> COMPARE_SAMPLE_RATE =
            Setting.of("MIGRATION_COMPARE_SAMPLE_RATE", "1", DualWriteSettings::rate, 1.0);
    /** Longest a caller waits for the secondary, in seconds or ISO-8601 (e.g. {@code PT0.5S}), default 2 s. */
    public static final Setting<Duration> SECONDARY_TIMEOUT =
            Setting.positiveDuration("MIGRATION_SECONDARY_TIMEOUT", Duration.ofSeconds(2));
    /**
     * Which kinds of record dual-write moves: a comma-separated list of {@code users}, {@code sessions}
     * (with their messages), {@code memory}; default all. A pilot of one kind (e.g. {@code memory})
     * replicates, compares, journals and repairs only that kind.
     */
    public static final Setting<Set<DualWriteKind>> DUAL_WRITE_KINDS =
            Setting.of("MIGRATION_DUAL_WRITE_KINDS", "all", DualWriteKind::parse, DualWriteKind.all());
    /**
     * Fields compare mode ignores: comma-separated JSON pointers into a read's answer, e.g.
     * {@code /updatedAt,/metadata/trace}; {@code *} matches any one segment. Default none.
     */
    public static final Setting<List<String>> COMPARE_IGNORE = Setting.list("MIGRATION_COMPARE_IGNORE", "JSON pointer");
    /**
     * Directory of the dual-write repair journal, no default (read as {@code null} when not set); required with
     * {@code MIGRATION_SECONDARY_FAILURE=record}.
     */
    public static final Setting<Path> REPAIR_JOURNAL_DIR = Setting.path("MIGRATION_REPAIR_JOURNAL_DIR", null);

    /**
     * The settings the decorator declares. They share the secondary's prefix in part
     * ({@code MIGRATION_SECONDARY_FAILURE}, {@code MIGRATION_SECONDARY_TIMEOUT}) but are the decorator's own.
     */
    public static final List<Setting<?>> DECLARED = List.of(
            READ_FROM,
            SECONDARY_FAILURE,
            COMPARE_SAMPLE_RATE,
            SECONDARY_TIMEOUT,
            DUAL_WRITE_KINDS,
            COMPARE_IGNORE,
            REPAIR_JOURNAL_DIR);

    /**
     * Checks each value; messages name the setting.
     *
     * @param readFrom where reads come from ({@code MIGRATION_READ_FROM})
     * @param failurePolicy what a failed secondary write does ({@code MIGRATION_SECONDARY_FAILURE})
     * @param compareSampleRate fraction of reads compared in {@link ReadFrom#COMPARE} mode, 0 to 1
     *     ({@code MIGRATION_COMPARE_SAMPLE_RATE})
     * @param secondaryTimeout longest a caller waits for the secondary ({@code MIGRATION_SECONDARY_TIMEOUT})
     * @param journalDir the repair journal's directory, or {@code null} for none ({@code MIGRATION_REPAIR_JOURNAL_DIR});
     *     required by {@link SecondaryFailurePolicy#RECORD}
     * @param mismatchesKept how many recent mismatches {@link DualWriteDataAccess#recentMismatches()} keeps
     * @param kinds which kinds of record are moved ({@code MIGRATION_DUAL_WRITE_KINDS}); all by default
     * @param compareIgnore JSON pointers of fields compare mode ignores ({@code MIGRATION_COMPARE_IGNORE})
     * @param journalLockWait the longest one journal append or removal waits for the journal's lock
     *     ({@code DB_QUERY_TIMEOUT})
     */
    public DualWriteSettings {
        Objects.requireNonNull(readFrom, "readFrom");
        Objects.requireNonNull(failurePolicy, "failurePolicy");
        Objects.requireNonNull(secondaryTimeout, "secondaryTimeout");
        if (!(compareSampleRate >= 0 && compareSampleRate <= 1)) {
            throw new ConfigurationException(
                    COMPARE_SAMPLE_RATE.name() + " must be from 0 to 1, got " + compareSampleRate);
        }
        if (secondaryTimeout.isNegative() || secondaryTimeout.isZero()) {
            throw new ConfigurationException(SECONDARY_TIMEOUT.name() + " must be longer than zero");
        }
        if (failurePolicy == SecondaryFailurePolicy.RECORD && journalDir == null) {
            throw new ConfigurationException(SECONDARY_FAILURE.name() + "=record needs " + REPAIR_JOURNAL_DIR.name());
        }
        if (mismatchesKept < 0) {
            throw new ConfigurationException("mismatchesKept must be 0 or more");
        }
        Objects.requireNonNull(kinds, "kinds");
        if (kinds.isEmpty()) {
            throw new ConfigurationException(DUAL_WRITE_KINDS.name() + " must name at least one kind");
        }
        kinds = java.util.Collections.unmodifiableSet(java.util.EnumSet.copyOf(kinds));
        compareIgnore = List.copyOf(compareIgnore);
        Objects.requireNonNull(journalLockWait, "journalLockWait");
        CompareRules.ignoring(compareIgnore); // checks each pointer, naming the setting
    }

    /** @return the compare mode's ignore rules */
    CompareRules compareRules() {
        return CompareRules.ignoring(compareIgnore);
    }

    /**
     * @param kind a pilot kind
     * @return whether dual-write moves it
     */
    public boolean moves(DualWriteKind kind) {
        return kinds.contains(kind);
    }

    /**
     * @param config the configuration
     * @return the dual-write settings it names
     * @throws ConfigurationException naming the setting that is missing or malformed
     */
    public static DualWriteSettings from(DalConfig config) {
        SettingsView view = SettingsView.of(config, DECLARED);
        return new DualWriteSettings(
                view.get(READ_FROM),
                view.get(SECONDARY_FAILURE),
                view.get(COMPARE_SAMPLE_RATE),
                view.get(SECONDARY_TIMEOUT),
                view.get(REPAIR_JOURNAL_DIR),
                DEFAULT_MISMATCHES_KEPT,
                view.get(DUAL_WRITE_KINDS),
                view.get(COMPARE_IGNORE),
                config.queryTimeout());
    }

    private static double rate(String value) {
        try {
            double parsed = Double.parseDouble(value);
            if (parsed >= 0 && parsed <= 1) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // reported below, with the rule
        }
        throw new ConfigurationException(
                COMPARE_SAMPLE_RATE.name() + " must be a number from 0 to 1, got '" + value + "'");
    }

    /** @return the defaults: read the primary, fail on a secondary failure, compare every read, 2 s, no journal */
    public static DualWriteSettings defaults() {
        return new DualWriteSettings(
                ReadFrom.PRIMARY,
                SecondaryFailurePolicy.FAIL,
                1.0,
                Duration.ofSeconds(2),
                null,
                DEFAULT_MISMATCHES_KEPT);
    }

    /**
     * @param value where reads come from
     * @return a copy with it
     */
    public DualWriteSettings withReadFrom(ReadFrom value) {
        return new DualWriteSettings(
                value,
                failurePolicy,
                compareSampleRate,
                secondaryTimeout,
                journalDir,
                mismatchesKept,
                kinds,
                compareIgnore,
                journalLockWait);
    }

    /**
     * @param policy what a failed secondary write does
     * @param journal the journal's directory, or {@code null}
     * @return a copy with them
     */
    public DualWriteSettings withFailurePolicy(SecondaryFailurePolicy policy, Path journal) {
        return new DualWriteSettings(
                readFrom,
                policy,
                compareSampleRate,
                secondaryTimeout,
                journal,
                mismatchesKept,
                kinds,
                compareIgnore,
                journalLockWait);
    }

    /**
     * @param rate fraction of reads compared
     * @return a copy with it
     */
    public DualWriteSettings withCompareSampleRate(double rate) {
        return new DualWriteSettings(
                readFrom,
                failurePolicy,
                rate,
                secondaryTimeout,
                journalDir,
                mismatchesKept,
                kinds,
                compareIgnore,
                journalLockWait);
    }

    /**
     * @param timeout longest a caller waits for the secondary
     * @return a copy with it
     */
    public DualWriteSettings withSecondaryTimeout(Duration timeout) {
        return new DualWriteSettings(
                readFrom,
                failurePolicy,
                compareSampleRate,
                timeout,
                journalDir,
                mismatchesKept,
                kinds,
                compareIgnore,
                journalLockWait);
    }

    /**
     * @param value the kinds dual-write moves
     * @return a copy with them
     */
    public DualWriteSettings withKinds(Set<DualWriteKind> value) {
        return new DualWriteSettings(
                readFrom,
                failurePolicy,
                compareSampleRate,
                secondaryTimeout,
                journalDir,
                mismatchesKept,
                value,
                compareIgnore,
                journalLockWait);
    }

    /**
     * @param pointers JSON pointers of fields compare mode ignores
     * @return a copy with them
     */
    public DualWriteSettings withCompareIgnore(List<String> pointers) {
        return new DualWriteSettings(
                readFrom,
                failurePolicy,
                compareSampleRate,
                secondaryTimeout,
                journalDir,
                mismatchesKept,
                kinds,
                pointers,
                journalLockWait);
    }
}
