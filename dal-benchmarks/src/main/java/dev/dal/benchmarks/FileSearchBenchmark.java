package dev.dal.benchmarks;

import dev.dal.api.DataAccess;
import dev.dal.api.HistoryQuery;
import dev.dal.api.Message;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewMessage;
import dev.dal.api.NewUser;
import dev.dal.api.SearchPage;
import dev.dal.api.SearchQuery;
import dev.dal.api.User;
import dev.dal.api.spi.SearchWords;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * {@code searchMessages} latency on the file store with a million messages stored, next to what an application
 * without search would do on the same store in the same run: read every message of the scope through
 * {@code getChatHistory} and keep those that hold every word, by the same word rule.
 *
 * <p>The data is {@link SearchBenchmark}'s: {@code DAL_BENCH_SEARCH_USERS} users (100) with
 * {@code DAL_BENCH_SEARCH_SESSIONS} sessions each (100) of {@code DAL_BENCH_SEARCH_MESSAGES} messages (100), eight
 * words each from a vocabulary of 5,000 and one message in 20,000 also holding {@code needle}, written through
 * {@code addMessages} a session's messages at a time, so every word index is the store's own. The store is in
 * {@code DAL_BENCH_FILE_DIR} (a new temporary directory by default, removed at the end). Timed: the same four
 * searches as {@link SearchBenchmark}, {@code DAL_BENCH_SEARCH_CALLS} times (200) after
 * {@code DAL_BENCH_SEARCH_WARMUP} (50), the index and the scan alternating in ABBA order over the users in turn.
 */
public final class FileSearchBenchmark {
    private static final int PAGE = 20;

    private final int users;
    private final int sessionsPerUser;
    private final int messagesPerSession;
    private final int warmup;
    private final int calls;
    private final List<User> owners = new ArrayList<>();
    private final List<String> chatIds = new ArrayList<>();

    private FileSearchBenchmark(Map<String, String> env) {
        this.users = PostgresBenchmark.intSetting(env, "DAL_BENCH_SEARCH_USERS", 100);
        this.sessionsPerUser = PostgresBenchmark.intSetting(env, "DAL_BENCH_SEARCH_SESSIONS", 100);
        this.messagesPerSession = PostgresBenchmark.intSetting(env, "DAL_BENCH_SEARCH_MESSAGES", 100);
        this.warmup = PostgresBenchmark.intSetting(env, "DAL_BENCH_SEARCH_WARMUP", 50);
        this.calls = PostgresBenchmark.intSetting(env, "DAL_BENCH_SEARCH_CALLS", 200);
    }

    /**
     * @param args none
     * @throws IOException when the store's directory cannot be made or removed
     */
    public static void main(String[] args) throws IOException {
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        Map<String, String> env = System.getenv();
        String configured = env.get("DAL_BENCH_FILE_DIR");
        Path dir = configured != null ? Path.of(configured) : Files.createTempDirectory("dal-file-search-bench");
        try {
            new FileSearchBenchmark(env).run(dir);
        } finally {
            if (configured == null) {
                AddMessageBenchmark.deleteTree(dir);
            }
        }
    }

    private void run(Path dir) {
        try (DataAccess store = AddMessageBenchmark.open(dir)) {
            System.out.printf(
                    Locale.ROOT,
                    "Dal file store search benchmark: java %s, %d cores; directory %s%n",
                    Runtime.version(),
                    Runtime.getRuntime().availableProcessors(),
                    dir);
            fill(store);
            System.out.printf(
                    Locale.ROOT, "%-48s %8s %8s %8s%n", "search, ms per page of " + PAGE, "mean", "p50", "p90");
            compare(store, "a user's search, one vocabulary word", i -> "w" + (i * 7 % 5000), false);
            compare(
                    store,
                    "a user's search, two vocabulary words",
                    i -> "w" + (i * 7 % 5000) + " w" + (i * 13 % 5000),
                    false);
            compare(store, "a user's search, a rare word", i -> "needle", false);
            compare(store, "a session's search, one vocabulary word", i -> "w" + (i * 7 % 5000), true);
        }
    }

    /** The words of message {@code n}, as {@link SearchBenchmark} writes them server-side. */
    private static String content(long n) {
        StringBuilder text = new StringBuilder();
        for (int k = 0; k < 8; k++) {
            text.append(k == 0 ? "" : " ").append('w').append(Math.floorMod(n * 7919 + k * 104729L, 5000));
        }
        return text.append(n % 20000 == 7 ? " needle" : "").toString();
    }

    private void fill(DataAccess store) {
        long start = System.nanoTime();
        long n = 0;
        for (int u = 0; u < users; u++) {
            User user = store.createUser(NewUser.withExternalId("file-search-bench-" + u));
            owners.add(user);
            for (int s = 0; s < sessionsPerUser; s++) {
                String chatId = store.createChatSession(
                                NewChatSession.of("file-search-bench-" + u + "-" + s, user.id()))
                        .chatId();
                chatIds.add(chatId);
                List<NewMessage> batch = new ArrayList<>(messagesPerSession);
                for (int m = 0; m < messagesPerSession; m++) {
                    batch.add(NewMessage.user(content(n++)));
                }
                store.addMessages(chatId, batch);
            }
        }
        System.out.printf(Locale.ROOT, "filled %,d messages in %.1f s%n", n, (System.nanoTime() - start) / 1e9);
    }

    /** What an application without search reads: every message of the scope, kept when it holds every word. */
    private List<Message> scan(DataAccess store, SearchQuery query) {
        List<String> words = SearchWords.of(query.text());
        List<String> scope = query.chatId() != null
                ? List.of(query.chatId())
                : store.listUserSessions(query.userId(), sessionsPerUser, 0).stream()
                        .map(s -> s.chatId())
                        .toList();
        List<Message> found = new ArrayList<>();
        for (String chatId : scope) {
            List<Message> page = store.getChatHistory(chatId, HistoryQuery.after(0, HistoryQuery.MAX_LIMIT));
            while (!page.isEmpty()) {
                for (Message m : page) {
                    if (SearchWords.allIn(words, m.content())) {
                        found.add(m);
                    }
                }
                long last = page.get(page.size() - 1).sequenceNumber();
                page = store.getChatHistory(chatId, HistoryQuery.after(last, HistoryQuery.MAX_LIMIT));
            }
        }
        return found;
    }

    private void compare(DataAccess store, String label, IntFunction<String> text, boolean bySession) {
        Timings indexed = new Timings(warmup, calls);
        Timings scanned = new Timings(warmup, calls);
        long indexedHits = 0;
        long scannedHits = 0;
        for (int round = 0; round < warmup + calls; round++) {
            User user = owners.get(round % owners.size());
            String chat = chatIds.get(round * 31 % chatIds.size());
            String words = text.apply(round);
            SearchQuery query =
                    bySession ? SearchQuery.inSession(chat, words, PAGE) : SearchQuery.forUser(user.id(), words, PAGE);
            boolean indexFirst = round % 4 == 0 || round % 4 == 3;
            for (int side = 0; side < 2; side++) {
                long[] t = Timings.start();
                if ((side == 0) == indexFirst) {
                    SearchPage page = store.searchMessages(query);
                    indexed.stop(round, t);
                    indexedHits += page.hits().size();
                } else {
                    int hits = Math.min(PAGE, scan(store, query).size());
                    scanned.stop(round, t);
                    scannedHits += hits;
                }
            }
        }
        if (indexedHits != scannedHits) {
            throw new IllegalStateException(
                    label + ": the index found " + indexedHits + " hits, the scan " + scannedHits);
        }
        Stats i = indexed.wall();
        Stats s = scanned.wall();
        System.out.println(i.readRow("index " + label));
        System.out.println(s.readRow("scan  " + label));
        System.out.printf(
                Locale.ROOT,
                "%-48s %8.2f %8.2f    (index / scan latency; %.1f hits per page)%n",
                "ratio",
                i.mean() / s.mean(),
                i.p50() / s.p50(),
                (double) indexedHits / (warmup + calls));
    }
}
