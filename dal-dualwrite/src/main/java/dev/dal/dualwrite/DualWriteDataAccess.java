package dev.dal.dualwrite;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dal.api.Capability;
import dev.dal.api.ChatSession;
import dev.dal.api.ChatSessionUpdate;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessException;
import dev.dal.api.DataAccessFactory;
import dev.dal.api.DeleteMode;
import dev.dal.api.HealthStatus;
import dev.dal.api.HistoryQuery;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.api.MessageVote;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewMessage;
import dev.dal.api.NewTokenUsage;
import dev.dal.api.NewUser;
import dev.dal.api.SearchPage;
import dev.dal.api.SearchQuery;
import dev.dal.api.SessionFilter;
import dev.dal.api.SessionOverview;
import dev.dal.api.TokenUsage;
import dev.dal.api.TokenUsageQuery;
import dev.dal.api.TokenUsageTotal;
import dev.dal.api.TransactionWork;
import dev.dal.api.UnsupportedCapabilityException;
import dev.dal.api.User;
import dev.dal.api.UserUpdate;
import dev.dal.api.Vote;
import dev.dal.api.VoteTally;
import dev.dal.api.bulk.BulkAccess;
import dev.dal.dualwrite.internal.CompareRules;
import dev.dal.dualwrite.internal.IntentLog;
import dev.dal.dualwrite.internal.MeterBinding;
import dev.dal.dualwrite.internal.MismatchLog;
import dev.dal.dualwrite.internal.RecordDiff;
import dev.dal.dualwrite.internal.RepairJournal;
import dev.dal.dualwrite.internal.ReplicationSink;
import dev.dal.dualwrite.internal.SecondaryCalls;
import dev.dal.dualwrite.internal.SecondarySync;
import dev.dal.dualwrite.internal.Step;
import dev.dal.dualwrite.internal.StepRecordingBulkAccess;
import dev.dal.dualwrite.internal.StepRecordingDataAccess;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes to two stores, for moving a live application from one to the other without downtime or loss
 * (Stripe's four phases: dual-write, backfill, switch reads, stop old writes; Scientist-style comparisons).
 * Callers see an ordinary {@link DataAccess}: the conformance kit runs against this decorator unchanged.
 * {@link dev.dal.api.DataAccessFactory#create()} builds it when {@code MIGRATION_ENABLE_DUAL_WRITE=true} and this
 * module is on the class path (it finds it through {@link dev.dal.api.spi.DualWriteComposer}); every
 * phase, including the cut-over (swapping which store is primary), is a configuration change.
 *
 * <h2>Writes</h2>
 * Each write goes to the <b>primary</b>, the source of truth, and its error (if any) reaches the caller
 * unchanged; nothing then goes to the secondary. After the primary committed, the records it stored go to the
 * <b>secondary</b> through the secondary's {@link BulkAccess} upserts, so both hold identical records (same ids,
 * timestamps, sequence numbers, counters):
 * <ul>
 * <li>creates and updates of users and sessions replicate the primary's resulting record, re-read from the
 *     primary at replication time; {@code addMessage(s)} replicate the stored messages and the session with
 *     its counters; memory writes replicate the entry;</li>
 * <li>deletes replay on the secondary by key: {@code deleteUser} with the same mode (ids are never reused), or,
 *     when the primary still holds the user (its deletion never committed there), the primary's user instead;
 *     {@code deleteChatSession} and {@code deleteUserMemory} by syncing the key (absent on the primary means
 *     deleted on the secondary), {@code purgeExpiredMemory} as itself. Each is idempotent when the record is
 *     already absent from the secondary;</li>
 * <li>a record that refers to a parent the secondary lacks (a session of a user written before dual-write
 *     began, during phase 1) brings the parent over from the primary first;</li>
 * <li>{@link #inTransaction} collects what the work wrote and replicates it only after the primary
 *     committed; a rolled-back transaction replicates nothing. Inside the work every read goes to the
 *     primary's transaction (only it sees the work's own writes);</li>
 * <li>bulk upserts through {@link #bulk()} replicate the same way.</li>
 * </ul>
 *
 * <h2>Ordering</h2>
 * Within one process, replications of the same record (a user, a session with its messages, a user's memory
 * of one type) run one at a time under a lock stripe, and each re-reads the primary's current record under
 * that lock. Whichever runs last therefore copies the newest state: an older version can never overwrite a
 * newer one on the secondary, whatever the thread interleaving. Messages never change once stored, so they
 * are copied as returned. A parent user copied along with a session or memory entry is copied under that
 * user's lock too. <b>Across processes, and against a backfill copy, record versions order them</b>: the
 * secondary's bulk upserts apply a user, session or memory entry only over an older version, and a deletion
 * is carried over with the primary's tombstone (the deleted version plus one), so a replication or a copy that
 * read the primary earlier is skipped instead of bringing an older state, or a deleted record, back. Any number
 * of writer processes and a {@code dal copy} may run at once. The limit: a deleted key used again (a chat id,
 * a caller-chosen user id) keeps no tombstone for its earlier life (see {@link BulkAccess}).
 *
 * <h2>Secondary failures</h2>
 * A replication that fails, or takes longer than {@code MIGRATION_SECONDARY_TIMEOUT} (the caller waits no
 * longer: replication runs on a small pool of daemon threads), is handled by the
 * {@link SecondaryFailurePolicy}: {@code FAIL} throws {@link SecondaryWriteException} (the primary committed;
 * do not retry blindly), {@code RECORD} returns normally. With a journal directory configured the divergence
 * (kind, keys, operation, time, reason) is appended to the durable {@linkplain #repair() repair journal}
 * under either policy. A late replication that completes after its timeout is harmless: it re-read the
 * primary, and repair re-reads it again.
 *
 * <h2>A complete journal: intents</h2>
 * With a journal directory, every write first records its <em>intent</em> (the kind and keys it may change)
 * durably in this process's own intent file, before the primary sees it; concurrent writers share one
 * {@code force}. A write whose intent cannot be recorded fails before anything is written. Once the secondary
 * holds the write, or the journal holds its divergence, the intent is resolved. An intent stays open when the
 * primary's outcome is unknown. A process killed anywhere leaves its open intents behind, and the next
 * decorator to open the journal directory (in any process) adopts them into the repair journal and replays
 * them; {@link #repair()} adopts them too. So after a {@code kill -9} anywhere, {@link #repair()} alone makes the
 * secondary equal to the primary: no full verify is needed for the writes of dead processes. Several processes
 * may run {@link #repair()} at once; each removes only the entries it replayed.
 *
 * <h2>Reads</h2>
 * {@link ReadFrom#PRIMARY} or {@link ReadFrom#SECONDARY} answer from one store; {@link ReadFrom#COMPARE}
 * reads both for a sampled fraction of reads ({@code MIGRATION_COMPARE_SAMPLE_RATE}) and returns the primary's
 * answer. A difference is not reported at once: a moment later, off the caller's thread, both stores are read
 * again, and a difference gone by then was a read racing an in-flight replication, counted as a
 * {@linkplain DualWriteCounters#readRaces() race}. One that is still there is a {@link Mismatch} with a
 * field-level diff: counted, kept in a bounded list ({@link #recentMismatches()}), passed to every
 * {@link MismatchListener}, and logged at WARN naming the paths, never the values, at most twenty lines a minute
 * with a summary of the rest. Fields named by {@code MIGRATION_COMPARE_IGNORE} (JSON pointers) are not
 * compared. A secondary that fails or is slow during a compared read costs the caller at most the timeout and
 * is not a mismatch. Bulk scans come from the primary, or from the secondary in {@code SECONDARY} mode.
 *
 * <h2>Piloting one kind</h2>
 * With {@code MIGRATION_DUAL_WRITE_KINDS} (for example {@code memory}) only the named {@link DualWriteKind}s are
 * replicated, compared, journaled and repaired; reads and scans of the other kinds always come from the
 * primary. A record of a moved kind whose parent the secondary lacks brings the parent along (a memory entry
 * its user), since the secondary could not hold it otherwise. Journal entries of kinds the configuration does
 * not move stay in the journal for one that does.
 *
 * <h2>Health, capabilities, lifecycle</h2>
 * Health is the answering store's, {@code DEGRADED} when the other store is not up, with the other store's
 * status and the counters in the details. Capabilities: {@code TRANSACTIONS} as the primary declares it;
 * others only when both stores declare them. {@link #close()} closes both stores and the journal.
 */
public final class DualWriteDataAccess implements DataAccess {
    private static final Logger LOG = LoggerFactory.getLogger(DualWriteDataAccess.class);
    /** Most mismatch lines logged one by one per minute; the rest are summed up. */
    private static final int MISMATCH_LINES_PER_MINUTE = 20;
    /** How long compare mode waits before reading a differing record again, to tell a race from a divergence. */
    private static final Duration RECHECK_DELAY = Duration.ofMillis(200);

    private final DataAccess primary;
    private final DataAccess secondary;
    private final String primaryType;
    private final String secondaryType;
    private final DualWriteSettings settings;
    private final Clock clock;
    private final SecondarySync sync;
    private final SecondaryCalls calls;
    private final RepairJournal journal;
    /** This process's intents, with the journal; {@code null} without one. */
    private final IntentLog intents;
    /** Tickets of the intents the calling thread's write recorded, resolved when the write ends. */
    private final ThreadLocal<java.util.ArrayDeque<long[]>> tickets =
            ThreadLocal.withInitial(java.util.ArrayDeque::new);
    /** Set when the calling thread's replication failed and the divergence could not be journaled either. */
    private final ThreadLocal<Boolean> untracked = ThreadLocal.withInitial(() -> false);

    private final ReplicationSink sink;
    private final StepRecordingDataAccess writer;
    private final LongAdder writes = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final LongAdder compared = new LongAdder();
    private final LongAdder mismatches = new LongAdder();
    private final LongAdder races = new LongAdder();
    private final CompareRules compareRules;
    private final MismatchLog mismatchLog;
    private final List<MismatchListener> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final ArrayDeque<Mismatch> recent = new ArrayDeque<>();
    /** Held here because Micrometer holds a meter's source only weakly: the meters live as long as the decorator. */
    private final java.util.function.Supplier<DualWriteCounters> meterSource = this::counters;

    private final Runnable unbindMeters;
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * @param primaryType the primary's store type, for messages and health (e.g. {@code "file"})
     * @param primary the source of truth
     * @param secondaryType the secondary's store type
     * @param secondary the store kept equal to the primary
     * @param settings read mode, failure policy, sampling, timeout, journal
     * @param clock the clock both stores use
     * @throws DataAccessException when the repair journal cannot be opened
     */
    public DualWriteDataAccess(
            String primaryType,
            DataAccess primary,
            String secondaryType,
            DataAccess secondary,
            DualWriteSettings settings,
            Clock clock) {
        this.primary = Objects.requireNonNull(primary, "primary");
        this.secondary = Objects.requireNonNull(secondary, "secondary");
        this.primaryType = Objects.requireNonNull(primaryType, "primaryType");
        this.secondaryType = Objects.requireNonNull(secondaryType, "secondaryType");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.sync = new SecondarySync(primary, secondary, clock);
        this.journal = settings.journalDir() == null
                ? null
                : RepairJournal.open(settings.journalDir(), settings.journalLockWait());
        this.intents = journal == null ? null : IntentLog.open(settings.journalDir());
        this.calls = new SecondaryCalls(settings.secondaryTimeout());
        this.sink = new Replicate();
        this.writer = new StepRecordingDataAccess(primary, sink);
        this.compareRules = settings.compareRules();
        this.mismatchLog =
                new MismatchLog(LOG, primaryType, secondaryType, MISMATCH_LINES_PER_MINUTE, Duration.ofMinutes(1));
        java.util.ServiceLoader.load(MismatchListener.class, DualWriteDataAccess.class.getClassLoader())
                .forEach(listeners::add);
        this.unbindMeters = MeterBinding.bind(meterSource, primaryType, secondaryType);
        if (journal != null && IntentLog.adoptDead(settings.journalDir(), journal) > 0) {
            // A process died with writes not yet replicated: bring them over now, off the caller's thread.
            calls.start(() -> {
                repair();
                return null;
            });
        }
    }

    // ---- the intent half of the journal ----

    /** Records what a write may change, durably, before the primary sees it; failing here fails the call. */
    private void intend(List<Step> steps) {
        if (intents == null) {
            return;
        }
        List<Step> moved = steps.stream()
                .filter(s -> settings.moves(DualWriteKind.of(s.kind())))
                .toList();
        if (!moved.isEmpty()) {
            tickets.get().push(intents.record(moved));
        }
    }

    /**
     * Runs one public write and resolves the intents it recorded once it ended, except when its outcome on the
     * primary is unknown or its divergence could not be journaled: those intents stay open, and become repair
     * journal entries if this process stops (the next decorator to open the journal adopts them).
     */
    private <T> T resolving(java.util.function.Supplier<T> write) {
        if (intents == null) {
            return write.get();
        }
        java.util.ArrayDeque<long[]> mine = tickets.get();
        int outer = mine.size();
        boolean keep = false;
        try {
            return write.get();
        } catch (dev.dal.api.OutcomeUnknownException e) {
            keep = true;
            throw e;
        } finally {
            keep |= untracked.get();
            untracked.set(false);
            while (mine.size() > outer) {
                long[] done = mine.pop();
                if (!keep) {
                    intents.resolve(done);
                }
            }
        }
    }

    /**
     * Adds a listener that hears of every confirmed mismatch in compare mode, on the decorator's threads.
     *
     * @param listener the listener
     */
    public void addMismatchListener(MismatchListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    // ---- the decorator's own API ----

    /**
     * Finds the decorator behind a store the factory returned (which wraps it in Dal's validation), to reach
     * its counters, mismatches and {@link #repair()}.
     *
     * @param store a store from {@link dev.dal.api.DataAccessFactory}, or a decorator itself
     * @return the decorator, or empty when the store does not dual-write
     */
    public static Optional<DualWriteDataAccess> find(DataAccess store) {
        DataAccess inner = DataAccessFactory.unwrapValidation(store);
        return inner instanceof DualWriteDataAccess d ? Optional.of(d) : Optional.empty();
    }

    /** @return the settings this decorator runs with */
    public DualWriteSettings settings() {
        return settings;
    }

    /** @return the primary (source of truth), as given */
    public DataAccess primary() {
        return primary;
    }

    /** @return the secondary, as given */
    public DataAccess secondary() {
        return secondary;
    }

    /** @return the counters now */
    public DualWriteCounters counters() {
        return new DualWriteCounters(
                writes.sum(),
                failures.sum(),
                journal == null ? 0 : journal.size(),
                compared.sum(),
                mismatches.sum(),
                races.sum());
    }

    /** @return the most recent mismatches, oldest first (at most {@link DualWriteSettings#mismatchesKept()}) */
    public List<Mismatch> recentMismatches() {
        synchronized (recent) {
            return List.copyOf(recent);
        }
    }

    /**
     * @return the entries waiting in the repair journal, oldest first; empty without a journal
     * @throws DataAccessException when the journal cannot be read
     */
    public List<RepairEntry> pendingRepairs() {
        return journal == null ? List.of() : journal.readAll();
    }

    /** @return the repair journal's file, if a journal is configured */
    public Optional<java.nio.file.Path> journalFile() {
        return journal == null ? Optional.empty() : Optional.of(journal.file());
    }

    /**
     * Replays the repair journal: each entry brings the secondary up to date on its record from the primary's
     * <em>current</em> state (deletions replay as deletions), so replay is idempotent and order does not
     * matter. Replayed entries leave the journal; entries that fail again stay for the next repair. Entries
     * appended meanwhile, by this or another process, are kept.
     *
     * @return how many entries were replayed and which remain
     * @throws DataAccessException when the journal cannot be read or rewritten
     */
    public RepairResult repair() {
        if (journal == null) {
            return new RepairResult(0, List.of());
        }
        IntentLog.adoptDead(settings.journalDir(), journal);
        List<RepairEntry> entries = journal.readAll();
        List<RepairEntry> failedAgain = new ArrayList<>();
        for (RepairEntry entry : entries) {
            if (!settings.moves(DualWriteKind.of(entry.kind()))) {
                failedAgain.add(entry); // a kind this configuration does not move stays for one that does
                continue;
            }
            try {
                calls.call(() -> {
                    sync.replay(Step.of(entry));
                    return null;
                });
            } catch (SecondaryCalls.Failure f) {
                failedAgain.add(entry);
            }
        }
        List<RepairEntry> replayed = new ArrayList<>(entries);
        failedAgain.forEach(replayed::remove);
        journal.remove(replayed);
        LOG.info(
                "Dual-write repair: {} journal entries replayed, {} failed again and remain",
                entries.size() - failedAgain.size(),
                failedAgain.size());
        return new RepairResult(entries.size() - failedAgain.size(), failedAgain);
    }

    /**
     * Brings the secondary up to date on one record from the primary's current state, under the same lock
     * as live replication, so it cannot overwrite a newer replicated version. Memory that has expired but is not
     * yet purged is copied as the primary holds it (found through the primary's bulk scan), so the stores compare
     * equal record for record; {@link #repair()} does the same. For verifying a backfill
     * (a copy that raced live writes may have put an older version in the secondary) and for repair tools.
     *
     * @param kind what the keys name
     * @param keys the record's key parts, as in {@link RecordKind}
     * @throws DataAccessException when the secondary refuses or cannot be reached (waits as long as it takes)
     */
    public void resync(RecordKind kind, List<String> keys) {
        sync.replay(Step.of(new RepairEntry(kind, keys, "resync", clock.instant(), null)));
    }

    // ---- replication ----

    /** Replicates at once: the decorator's own sink. */
    private final class Replicate implements ReplicationSink {
        @Override
        public void intend(List<Step> steps) {
            DualWriteDataAccess.this.intend(steps);
        }

        @Override
        public void owe(List<Step> steps) {
            replicate(steps, null);
        }

        @Override
        public void oweExact(List<Step> steps, Consumer<BulkAccess> exact) {
            replicate(steps, exact);
        }
    }

    private void replicate(List<Step> all, Consumer<BulkAccess> allExact) {
        List<Step> steps = all.stream()
                .filter(s -> settings.moves(DualWriteKind.of(s.kind())))
                .toList();
        if (steps.isEmpty()) {
            return;
        }
        Consumer<BulkAccess> exact = steps.size() == all.size() ? allExact : null;
        writes.increment();
        AtomicInteger done = new AtomicInteger();
        try {
            calls.call(() -> {
                if (exact != null && applyExact(exact)) {
                    return null;
                }
                for (Step step : steps) {
                    sync.apply(step);
                    done.incrementAndGet();
                }
                return null;
            });
        } catch (SecondaryCalls.Failure f) {
            secondaryFailed(steps.subList(Math.min(done.get(), steps.size() - 1), steps.size()), f);
        }
    }

    /** @return whether the secondary took the batch as is; if not, the caller goes record by record */
    private boolean applyExact(Consumer<BulkAccess> exact) {
        try {
            exact.accept(secondary.bulk());
            return true;
        } catch (dev.dal.api.NotFoundException | dev.dal.api.DuplicateKeyException e) {
            return false;
        }
    }

    private void secondaryFailed(List<Step> owed, SecondaryCalls.Failure f) {
        failures.increment();
        String operation = owed.get(0).operation();
        String reason = reason(f);
        Instant now = clock.instant();
        List<RepairEntry> entries =
                owed.stream().map(s -> s.toEntry(now, reason)).toList();
        boolean journaled = false;
        if (journal != null) {
            try {
                journal.append(entries);
                journaled = true;
            } catch (DataAccessException e) {
                LOG.error(
                        "Dual-write: the repair journal could not record {} divergence(s): {}",
                        entries.size(),
                        e.getMessage());
            }
        }
        LOG.warn(
                "Dual-write: the primary ({}) committed {}; the secondary ({}) did not: {}; {} record(s){}",
                primaryType,
                operation,
                secondaryType,
                reason,
                entries.size(),
                journaled ? ", recorded in the repair journal" : "");
        if (!journaled) {
            untracked.set(true);
        }
        if (settings.failurePolicy() == SecondaryFailurePolicy.FAIL || !journaled) {
            throw new SecondaryWriteException(
                    "The primary (" + primaryType + ") store committed " + operation
                            + "; the secondary (" + secondaryType + ") store did not: " + reason
                            + (journaled ? "; the divergence is in the repair journal" : "")
                            + ". Do not retry the write: the primary holds it",
                    entries);
        }
    }

    private static String reason(SecondaryCalls.Failure f) {
        Throwable cause = f.getCause();
        if (cause instanceof DataAccessException e) {
            return f.getMessage() + " (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")";
        }
        // Anything else may carry driver text; its type is enough.
        return cause == null
                ? f.getMessage()
                : f.getMessage() + " (" + cause.getClass().getSimpleName() + ")";
    }

    // ---- reads ----

    private <T> T read(String operation, DualWriteKind kind, List<String> ids, Function<DataAccess, T> call) {
        if (!settings.moves(kind)) {
            return call.apply(primary);
        }
        switch (settings.readFrom()) {
            case SECONDARY:
                return call.apply(secondary);
            case COMPARE:
                if (settings.compareSampleRate() > 0
                        && ThreadLocalRandom.current().nextDouble() < settings.compareSampleRate()) {
                    return compared(operation, ids, call);
                }
                return call.apply(primary);
            default:
                return call.apply(primary);
        }
    }

    private <T> T compared(String operation, List<String> ids, Function<DataAccess, T> call) {
        Future<T> fromSecondary = calls.start(() -> call.apply(secondary));
        T answer = call.apply(primary);
        T other;
        try {
            other = calls.await(fromSecondary);
        } catch (SecondaryCalls.Failure f) {
            LOG.debug("Dual-write compare: the secondary could not answer {}: {}", operation, reason(f));
            return answer;
        }
        compared.increment();
        if (!compareRules.keep(RecordDiff.between(answer, other)).isEmpty()) {
            // Off the caller's thread: a difference that is gone a moment later was a read racing a replication.
            calls.start(() -> {
                recheck(operation, ids, call);
                return null;
            });
        }
        return answer;
    }

    private <T> void recheck(String operation, List<String> ids, Function<DataAccess, T> call) {
        try {
            Thread.sleep(RECHECK_DELAY.toMillis());
            List<FieldDifference> differences =
                    compareRules.keep(RecordDiff.between(call.apply(primary), call.apply(secondary)));
            if (differences.isEmpty()) {
                races.increment();
                return;
            }
            Mismatch mismatch = new Mismatch(operation, ids, differences, clock.instant());
            mismatchLog.mismatch(mismatch);
            synchronized (recent) {
                if (settings.mismatchesKept() > 0) {
                    if (recent.size() == settings.mismatchesKept()) {
                        recent.removeFirst();
                    }
                    recent.addLast(mismatch);
                }
            }
            for (MismatchListener listener : listeners) {
                try {
                    listener.onMismatch(mismatch);
                } catch (RuntimeException e) {
                    LOG.warn(
                            "Dual-write compare: mismatch listener {} failed ({})",
                            listener.getClass().getName(),
                            e.getClass().getSimpleName());
                }
            }
            // Counted last, so whoever sees the count also sees the mismatch in the list and its listeners called.
            mismatches.increment();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.debug(
                    "Dual-write compare: could not read {} again ({})",
                    operation,
                    e.getClass().getSimpleName());
        }
    }

    private static List<String> ids(Object... parts) {
        List<String> out = new ArrayList<>(parts.length);
        for (Object part : parts) {
            out.add(String.valueOf(part));
        }
        return out;
    }

    // ---- DataAccess ----

    @Override
    public User createUser(NewUser user) {
        return resolving(() -> writer.createUser(user));
    }

    @Override
    public Optional<User> getUser(UUID id) {
        return read("getUser", DualWriteKind.USERS, ids(id), s -> s.getUser(id));
    }

    @Override
    public Optional<User> getUserByExternalId(String externalId) {
        return read(
                "getUserByExternalId", DualWriteKind.USERS, ids(externalId), s -> s.getUserByExternalId(externalId));
    }

    @Override
    public User updateUser(UUID id, UserUpdate update) {
        return resolving(() -> writer.updateUser(id, update));
    }

    @Override
    public boolean deleteUser(UUID id, DeleteMode mode) {
        return resolving(() -> writer.deleteUser(id, mode));
    }

    @Override
    public ChatSession createChatSession(NewChatSession session) {
        return resolving(() -> writer.createChatSession(session));
    }

    @Override
    public Optional<ChatSession> getChatSession(String chatId) {
        return read("getChatSession", DualWriteKind.SESSIONS, ids(chatId), s -> s.getChatSession(chatId));
    }

    @Override
    public ChatSession updateChatSession(String chatId, ChatSessionUpdate update) {
        return resolving(() -> writer.updateChatSession(chatId, update));
    }

    @Override
    public boolean deleteChatSession(String chatId) {
        return resolving(() -> writer.deleteChatSession(chatId));
    }

    @Override
    public List<ChatSession> listUserSessions(UUID userId, SessionFilter filter, int limit, int offset) {
        return read(
                "listUserSessions",
                DualWriteKind.SESSIONS,
                ids(userId, filter, limit, offset),
                s -> s.listUserSessions(userId, filter, limit, offset));
    }

    @Override
    public List<SessionOverview> listUserSessionsWithLastMessage(
            UUID userId, SessionFilter filter, int limit, int offset) {
        return read(
                "listUserSessionsWithLastMessage",
                DualWriteKind.SESSIONS,
                ids(userId, filter, limit, offset),
                s -> s.listUserSessionsWithLastMessage(userId, filter, limit, offset));
    }

    @Override
    public Message addMessage(String chatId, NewMessage message) {
        return resolving(() -> writer.addMessage(chatId, message));
    }

    @Override
    public List<Message> addMessages(String chatId, List<NewMessage> messages) {
        return resolving(() -> writer.addMessages(chatId, messages));
    }

    @Override
    public List<Message> getChatHistory(String chatId, int limit, int offset) {
        return read(
                "getChatHistory",
                DualWriteKind.SESSIONS,
                ids(chatId, limit, offset),
                s -> s.getChatHistory(chatId, limit, offset));
    }

    @Override
    public List<Message> getChatHistory(String chatId, HistoryQuery query) {
        return read("getChatHistory", DualWriteKind.SESSIONS, ids(chatId, query), s -> s.getChatHistory(chatId, query));
    }

    @Override
    public long getMessageCount(String chatId) {
        return read("getMessageCount", DualWriteKind.SESSIONS, ids(chatId), s -> s.getMessageCount(chatId));
    }

    /**
     * Searches the store reads come from. Scores and their order are each store's own, so the two stores'
     * pages are never compared, and a cursor is meant for the store that returned it: a page after a switch of
     * {@code readFrom} may repeat or skip hits. Declared only when both stores declare
     * {@link Capability#FULL_TEXT_SEARCH}.
     */
    @Override
    public SearchPage searchMessages(SearchQuery query) {
        if (!capabilities().contains(Capability.FULL_TEXT_SEARCH)) {
            throw new UnsupportedCapabilityException(
                    Capability.FULL_TEXT_SEARCH, "the primary and the secondary do not both declare it");
        }
        boolean fromSecondary = settings.moves(DualWriteKind.SESSIONS) && settings.readFrom() == ReadFrom.SECONDARY;
        return (fromSecondary ? secondary : primary).searchMessages(query);
    }

    @Override
    public MessageVote voteMessage(String chatId, long sequenceNumber, UUID userId, Vote vote) {
        return resolving(() -> writer.voteMessage(chatId, sequenceNumber, userId, vote));
    }

    @Override
    public boolean clearVote(String chatId, long sequenceNumber, UUID userId) {
        return resolving(() -> writer.clearVote(chatId, sequenceNumber, userId));
    }

    @Override
    public List<VoteTally> getVoteTallies(String chatId, long fromSequence, long toSequence) {
        return read(
                "getVoteTallies",
                DualWriteKind.SESSIONS,
                ids(chatId, fromSequence, toSequence),
                s -> s.getVoteTallies(chatId, fromSequence, toSequence));
    }

    @Override
    public List<MessageVote> getUserVotes(String chatId, UUID userId, long fromSequence, long toSequence) {
        return read(
                "getUserVotes",
                DualWriteKind.SESSIONS,
                ids(chatId, userId, fromSequence, toSequence),
                s -> s.getUserVotes(chatId, userId, fromSequence, toSequence));
    }

    @Override
    public TokenUsage recordTokenUsage(NewTokenUsage usage) {
        return resolving(() -> writer.recordTokenUsage(usage));
    }

    @Override
    public List<TokenUsageTotal> getTokenUsageTotals(TokenUsageQuery query) {
        return read(
                "getTokenUsageTotals",
                DualWriteKind.SESSIONS,
                ids(query.groupBy(), query.from(), query.to(), query.userId(), query.chatId(), query.afterKey()),
                s -> s.getTokenUsageTotals(query));
    }

    @Override
    public MemoryEntry setUserMemory(UUID userId, String memoryType, String key, JsonNode value, Instant expiresAt) {
        return resolving(() -> writer.setUserMemory(userId, memoryType, key, value, expiresAt));
    }

    @Override
    public Optional<MemoryEntry> getUserMemory(UUID userId, String memoryType, String key) {
        return read(
                "getUserMemory",
                DualWriteKind.MEMORY,
                ids(userId, memoryType, key),
                s -> s.getUserMemory(userId, memoryType, key));
    }

    @Override
    public List<MemoryEntry> getUserMemory(UUID userId, String memoryType) {
        return read(
                "getUserMemory",
                DualWriteKind.MEMORY,
                ids(userId, memoryType),
                s -> s.getUserMemory(userId, memoryType));
    }

    @Override
    public boolean deleteUserMemory(UUID userId, String memoryType, String key) {
        return resolving(() -> writer.deleteUserMemory(userId, memoryType, key));
    }

    @Override
    public int deleteUserMemory(UUID userId, String memoryType) {
        return resolving(() -> writer.deleteUserMemory(userId, memoryType));
    }

    @Override
    public int purgeExpiredMemory() {
        return resolving(() -> writer.purgeExpiredMemory());
    }

    /**
     * Runs the work in a primary transaction and replicates what it wrote once the primary committed.
     * {@inheritDoc}
     */
    @Override
    public <T> T inTransaction(TransactionWork<T> work) {
        return resolving(() -> {
            List<Step> collected = new ArrayList<>();
            ReplicationSink collect = new ReplicationSink() {
                @Override
                public void intend(List<Step> steps) {
                    DualWriteDataAccess.this.intend(steps);
                }

                @Override
                public void owe(List<Step> steps) {
                    synchronized (collected) {
                        collected.addAll(steps);
                    }
                }
            };
            T result = primary.inTransaction(tx -> {
                synchronized (collected) {
                    collected.clear(); // a retried attempt starts over
                }
                return work.run(new StepRecordingDataAccess(tx, collect));
            });
            List<Step> owed;
            synchronized (collected) {
                owed = Step.merge(collected);
            }
            replicate(owed, null);
            return result;
        });
    }

    @Override
    public HealthStatus healthCheck() {
        boolean secondaryAnswers = settings.readFrom() == ReadFrom.SECONDARY;
        DataAccess serving = secondaryAnswers ? secondary : primary;
        HealthStatus main = serving.healthCheck();
        HealthStatus other = otherHealth(secondaryAnswers);
        HealthStatus.Status status =
                main.status() == HealthStatus.Status.UP && !other.isUp() ? HealthStatus.Status.DEGRADED : main.status();
        Map<String, Object> details = new LinkedHashMap<>(main.details());
        DualWriteCounters c = counters();
        details.put("dualWrite.primary", primaryType);
        details.put("dualWrite.secondary", secondaryType);
        details.put("dualWrite.readFrom", settings.readFrom().name().toLowerCase(java.util.Locale.ROOT));
        details.put(
                secondaryAnswers ? "dualWrite.primaryStatus" : "dualWrite.secondaryStatus",
                other.status().name());
        details.put("dualWrite.writes", c.writes());
        details.put("dualWrite.secondaryFailures", c.secondaryFailures());
        details.put("dualWrite.journalSize", c.journalSize());
        details.put("dualWrite.mismatches", c.mismatches());
        String error = main.error() != null
                ? main.error()
                : status == HealthStatus.Status.DEGRADED
                        ? (secondaryAnswers ? "primary " : "secondary ") + "is "
                                + other.status().name().toLowerCase(java.util.Locale.ROOT)
                        : null;
        return new HealthStatus(status, main.storageType(), main.latency(), details, error, main.checkedAt());
    }

    private HealthStatus otherHealth(boolean primaryIsOther) {
        DataAccess store = primaryIsOther ? primary : secondary;
        try {
            return calls.call(store::healthCheck);
        } catch (SecondaryCalls.Failure f) {
            return new HealthStatus(
                    HealthStatus.Status.DOWN,
                    primaryIsOther ? primaryType : secondaryType,
                    Duration.ZERO,
                    Map.of(),
                    "no answer",
                    clock.instant());
        }
    }

    @Override
    public Set<Capability> capabilities() {
        Set<Capability> own = EnumSet.noneOf(Capability.class);
        Set<Capability> p = primary.capabilities();
        Set<Capability> s = secondary.capabilities();
        for (Capability c : Capability.values()) {
            if (c == Capability.TRANSACTIONS ? p.contains(c) : p.contains(c) && s.contains(c)) {
                own.add(c);
            }
        }
        return own;
    }

    @Override
    public BulkAccess bulk() {
        BulkAccess fromPrimary = primary.bulk();
        BulkAccess fromSecondary = secondary.bulk();
        BulkAccess recording = new StepRecordingBulkAccess(
                kind -> settings.readFrom() == ReadFrom.SECONDARY && settings.moves(kind) ? fromSecondary : fromPrimary,
                fromPrimary,
                sink);
        return new BulkAccess() {
            @Override
            public dev.dal.api.bulk.ScanBatch<User> scanUsers(String cursor, int batchSize) {
                return recording.scanUsers(cursor, batchSize);
            }

            @Override
            public dev.dal.api.bulk.ScanBatch<ChatSession> scanSessions(String cursor, int batchSize) {
                return recording.scanSessions(cursor, batchSize);
            }

            @Override
            public dev.dal.api.bulk.ScanBatch<Message> scanMessages(String cursor, int batchSize) {
                return recording.scanMessages(cursor, batchSize);
            }

            @Override
            public dev.dal.api.bulk.ScanBatch<MemoryEntry> scanMemory(String cursor, int batchSize) {
                return recording.scanMemory(cursor, batchSize);
            }

            @Override
            public List<dev.dal.api.bulk.RangeDigest> digestMessages(List<dev.dal.api.bulk.IdRange> ranges) {
                return recording.digestMessages(ranges);
            }

            @Override
            public boolean digestsMessagesInStore() {
                return recording.digestsMessagesInStore();
            }

            @Override
            public void overwriteUsers(List<User> users) {
                resolving(() -> {
                    recording.overwriteUsers(users);
                    return null;
                });
            }

            @Override
            public void overwriteSessions(List<ChatSession> sessions) {
                resolving(() -> {
                    recording.overwriteSessions(sessions);
                    return null;
                });
            }

            @Override
            public void overwriteMemory(List<MemoryEntry> entries) {
                resolving(() -> {
                    recording.overwriteMemory(entries);
                    return null;
                });
            }

            @Override
            public List<dev.dal.api.bulk.Tombstone> findTombstones(
                    java.util.Collection<dev.dal.api.bulk.RecordKey> keys) {
                return recording.findTombstones(keys);
            }

            @Override
            public void upsertTombstones(List<dev.dal.api.bulk.Tombstone> tombstones) {
                resolving(() -> {
                    recording.upsertTombstones(tombstones);
                    return null;
                });
            }

            @Override
            public void upsertUsers(List<User> users) {
                resolving(() -> {
                    recording.upsertUsers(users);
                    return null;
                });
            }

            @Override
            public void upsertSessions(List<ChatSession> sessions) {
                resolving(() -> {
                    recording.upsertSessions(sessions);
                    return null;
                });
            }

            @Override
            public void upsertMessages(List<Message> messages) {
                resolving(() -> {
                    recording.upsertMessages(messages);
                    return null;
                });
            }

            @Override
            public void upsertMemory(List<MemoryEntry> entries) {
                resolving(() -> {
                    recording.upsertMemory(entries);
                    return null;
                });
            }

            @Override
            public dev.dal.api.bulk.ScanBatch<MessageVote> scanVotes(String cursor, int batchSize) {
                return recording.scanVotes(cursor, batchSize);
            }

            @Override
            public void upsertVotes(List<MessageVote> votes) {
                resolving(() -> {
                    recording.upsertVotes(votes);
                    return null;
                });
            }

            @Override
            public void deleteVotes(List<dev.dal.api.bulk.VoteKey> keys) {
                resolving(() -> {
                    recording.deleteVotes(keys);
                    return null;
                });
            }

            @Override
            public dev.dal.api.bulk.ScanBatch<TokenUsage> scanTokenUsage(String cursor, int batchSize) {
                return recording.scanTokenUsage(cursor, batchSize);
            }

            @Override
            public void upsertTokenUsage(List<TokenUsage> usage) {
                resolving(() -> {
                    recording.upsertTokenUsage(usage);
                    return null;
                });
            }

            @Override
            public void deleteTokenUsage(List<UUID> ids) {
                resolving(() -> {
                    recording.deleteTokenUsage(ids);
                    return null;
                });
            }
        };
    }

    /** Closes both stores and the journal; replications still running get a moment to finish. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        unbindMeters.run();
        calls.close();
        mismatchLog.flush();
        try {
            primary.close();
        } finally {
            try {
                secondary.close();
            } finally {
                if (intents != null) {
                    intents.close();
                }
                if (journal != null) {
                    journal.close();
                }
            }
        }
    }

    @Override
    public String toString() {
        return "DualWriteDataAccess[" + primaryType + " -> " + secondaryType + ", reads "
                + settings.readFrom().name().toLowerCase(java.util.Locale.ROOT) + "]";
    }
}
