package dev.dal.dualwrite;

import dev.dal.api.ConfigurationException;
import dev.dal.api.DalConfig;
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
public record DualWriteSettings(ReadFrom readFrom, SecondaryFailurePolicy failurePolicy, double compareSampleRate,
        Duration secondaryTimeout, Path journalDir, int mismatchesKept, Set<DualWriteKind> kinds,
        List<String> compareIgnore, Duration journalLockWait) {

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
    public DualWriteSettings(ReadFrom readFrom, SecondaryFailurePolicy failurePolicy, double compareSampleRate,
            Duration secondaryTimeout, Path journalDir, int mismatchesKept) {
        this(readFrom, failurePolicy, compareSampleRate, secondaryTimeout, journalDir, mismatchesKept,
                DualWriteKind.all(), List.of(), Duration.ofSeconds(30));
    }

    /** How many recent mismatches are kept by default. */
    public static final int DEFAULT_MISMATCHES_KEPT = 100;

    /** Checks each value; messages name the setting. */
    public DualWriteSettings {
        Objects.requireNonNull(readFrom, "readFrom");
        Objects.requireNonNull(failurePolicy, "failurePolicy");
        Objects.requireNonNull(secondaryTimeout, "secondaryTimeout");
        if (!(compareSampleRate >= 0 && compareSampleRate <= 1)) {
            throw new ConfigurationException(DalConfig.MIGRATION_COMPARE_SAMPLE_RATE + " must be from 0 to 1, got "
                    + compareSampleRate);
        }
        if (secondaryTimeout.isNegative() || secondaryTimeout.isZero()) {
            throw new ConfigurationException(DalConfig.MIGRATION_SECONDARY_TIMEOUT + " must be longer than zero");
        }
        if (failurePolicy == SecondaryFailurePolicy.RECORD && journalDir == null) {
            throw new ConfigurationException(DalConfig.MIGRATION_SECONDARY_FAILURE + "=record needs "
                    + DalConfig.MIGRATION_REPAIR_JOURNAL_DIR);
        }
        if (mismatchesKept < 0) {
            throw new ConfigurationException("mismatchesKept must be 0 or more");
        }
        Objects.requireNonNull(kinds, "kinds");
        if (kinds.isEmpty()) {
            throw new ConfigurationException(DalConfig.MIGRATION_DUAL_WRITE_KINDS + " must name at least one kind");
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
        return new DualWriteSettings(ReadFrom.parse(config.migrationReadFrom()),
                SecondaryFailurePolicy.parse(config.migrationSecondaryFailure()), config.migrationCompareSampleRate(),
                config.migrationSecondaryTimeout(), config.migrationRepairJournalDir().orElse(null),
                DEFAULT_MISMATCHES_KEPT,
                DualWriteKind.parse(config.setting(DalConfig.MIGRATION_DUAL_WRITE_KINDS).orElse(null)),
                config.setting(DalConfig.MIGRATION_COMPARE_IGNORE).map(v -> java.util.Arrays.stream(v.split(","))
                        .map(String::trim).filter(p -> !p.isEmpty()).toList()).orElse(List.of()),
                config.queryTimeout());
    }

    /** @return the defaults: read the primary, fail on a secondary failure, compare every read, 2 s, no journal */
    public static DualWriteSettings defaults() {
        return new DualWriteSettings(ReadFrom.PRIMARY, SecondaryFailurePolicy.FAIL, 1.0, Duration.ofSeconds(2), null,
                DEFAULT_MISMATCHES_KEPT);
    }

    /**
     * @param value where reads come from
     * @return a copy with it
     */
    public DualWriteSettings withReadFrom(ReadFrom value) {
        return new DualWriteSettings(value, failurePolicy, compareSampleRate, secondaryTimeout, journalDir,
                mismatchesKept, kinds, compareIgnore, journalLockWait);
    }

    /**
     * @param policy what a failed secondary write does
     * @param journal the journal's directory, or {@code null}
     * @return a copy with them
     */
    public DualWriteSettings withFailurePolicy(SecondaryFailurePolicy policy, Path journal) {
        return new DualWriteSettings(readFrom, policy, compareSampleRate, secondaryTimeout, journal, mismatchesKept,
                kinds, compareIgnore, journalLockWait);
    }

    /**
     * @param rate fraction of reads compared
     * @return a copy with it
     */
    public DualWriteSettings withCompareSampleRate(double rate) {
        return new DualWriteSettings(readFrom, failurePolicy, rate, secondaryTimeout, journalDir, mismatchesKept,
                kinds, compareIgnore, journalLockWait);
    }

    /**
     * @param timeout longest a caller waits for the secondary
     * @return a copy with it
     */
    public DualWriteSettings withSecondaryTimeout(Duration timeout) {
        return new DualWriteSettings(readFrom, failurePolicy, compareSampleRate, timeout, journalDir, mismatchesKept,
                kinds, compareIgnore, journalLockWait);
    }

    /**
     * @param value the kinds dual-write moves
     * @return a copy with them
     */
    public DualWriteSettings withKinds(Set<DualWriteKind> value) {
        return new DualWriteSettings(readFrom, failurePolicy, compareSampleRate, secondaryTimeout, journalDir,
                mismatchesKept, value, compareIgnore, journalLockWait);
    }

    /**
     * @param pointers JSON pointers of fields compare mode ignores
     * @return a copy with them
     */
    public DualWriteSettings withCompareIgnore(List<String> pointers) {
        return new DualWriteSettings(readFrom, failurePolicy, compareSampleRate, secondaryTimeout, journalDir,
                mismatchesKept, kinds, pointers, journalLockWait);
    }
}
