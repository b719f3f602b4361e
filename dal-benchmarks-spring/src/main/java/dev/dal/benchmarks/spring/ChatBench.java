package dev.dal.benchmarks.spring;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dal.api.ChatSession;
import dev.dal.api.DataAccess;
import dev.dal.api.HistoryQuery;
import dev.dal.api.Message;
import dev.dal.api.NewChatSession;
import dev.dal.api.NewMessage;
import dev.dal.api.NewUser;
import dev.dal.api.User;
import dev.dal.api.spi.Ids;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * Runs the five operations for Dal and for one Spring Data side against the same store, interleaved call by call in
 * ABBA order after a warm-up of both, and prints the tables. The data both sides read is written once, through Dal,
 * into the store's own schema; each side appends to sessions of its own.
 */
final class ChatBench {
    private static final String FILLER = "The quick brown fox jumps over the lazy dog; Grüße, 你好, 👋. ";
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final int history;
    private final int sessions;
    private final int page;
    private final int appendWarmup;
    private final int appends;
    private final int readWarmup;
    private final int reads;
    private final int overviewWarmup;
    private final int overviews;
    private final int bulkSize;
    private final int bulkWarmup;
    private final int bulks;
    private final boolean bulkSpi;
    private final String tag = "spring-bench-" + Long.toHexString(System.nanoTime());

    /**
     * @param env settings ({@code DAL_BENCH_SPRING_*})
     * @param bulkSpi whether to time Dal's {@code bulk().upsertMessages} as a third series of operation 5
     */
    ChatBench(Map<String, String> env, boolean bulkSpi) {
        this.history = setting(env, "DAL_BENCH_SPRING_HISTORY", 10_000);
        this.sessions = setting(env, "DAL_BENCH_SPRING_SESSIONS", 100);
        this.page = setting(env, "DAL_BENCH_SPRING_PAGE", 20);
        this.appendWarmup = setting(env, "DAL_BENCH_SPRING_APPEND_WARMUP", 300);
        this.appends = setting(env, "DAL_BENCH_SPRING_APPENDS", 1000);
        this.readWarmup = setting(env, "DAL_BENCH_SPRING_READ_WARMUP", 500);
        this.reads = setting(env, "DAL_BENCH_SPRING_READS", 2000);
        this.overviewWarmup = setting(env, "DAL_BENCH_SPRING_OVERVIEW_WARMUP", 100);
        this.overviews = setting(env, "DAL_BENCH_SPRING_OVERVIEWS", 400);
        this.bulkSize = setting(env, "DAL_BENCH_SPRING_BULK", 10_000);
        this.bulkWarmup = setting(env, "DAL_BENCH_SPRING_BULK_WARMUP", 3);
        this.bulks = setting(env, "DAL_BENCH_SPRING_BULKS", 10);
        this.bulkSpi = bulkSpi;
    }

    private static int setting(Map<String, String> env, String name, int defaultValue) {
        return Integer.parseInt(env.getOrDefault(name, Integer.toString(defaultValue)));
    }

    /**
     * @param store the store's description for the header
     * @param dal the Dal store (also used to write the shared data)
     * @param dalWork Dal's side
     * @param spring the Spring Data side
     * @param <S> Spring's input form
     */
    <S> void run(String store, DataAccess dal, DalWork dalWork, ChatWork<S> spring) {
        System.out.printf(
                Locale.ROOT,
                "Dal vs %s: %s%njava %s, %d cores, %s; load average at start: %s%n",
                spring.name(),
                store,
                Runtime.version(),
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("os.name"),
                load());
        System.out.printf(
                Locale.ROOT,
                "history %,d messages, overview of %d sessions, pages of %d; calls per side (warm-up + timed): "
                        + "append %d+%d, reads %d+%d, overview %d+%d, bulk of %,d %d+%d%n%n",
                history,
                sessions,
                page,
                appendWarmup,
                appends,
                readWarmup,
                reads,
                overviewWarmup,
                overviews,
                bulkSize,
                bulkWarmup,
                bulks);

        // ---- shared data, written through Dal ----
        long setupStart = System.nanoTime();
        String historyChat = tag + "-history";
        dal.createChatSession(NewChatSession.of(historyChat));
        for (int done = 0; done < history; done += 10_000) {
            int n = Math.min(10_000, history - done);
            dal.addMessages(historyChat, dalWork.prepare(inputs(done, n)));
        }
        User owner = dal.createUser(NewUser.withExternalId(tag + "-owner"));
        for (int s = 0; s < sessions; s++) {
            String chatId = tag + "-overview-" + s;
            dal.createChatSession(NewChatSession.of(chatId, owner.id()));
            dal.addMessages(chatId, dalWork.prepare(inputs(s * 10, 2 + s % 4)));
        }
        System.out.printf(
                Locale.ROOT, "shared data written through Dal in %.1f s%n", (System.nanoTime() - setupStart) / 1e9);

        // ---- both sides read the same rows alike ----
        check("latest", dalWork.latest(historyChat, page), spring.latest(historyChat, page));
        check("keyset page", dalWork.pageAfter(historyChat, 5000, page), spring.pageAfter(historyChat, 5000, page));
        check("overview", dalWork.overview(owner.id(), sessions), spring.overview(owner.id(), sessions));

        // ---- 1. append a user+assistant pair ----
        String dalAppend = session(dal, "append-dal");
        String springAppend = session(dal, "append-spring");
        Timings appendDal = new Timings(appendWarmup, appends);
        Timings appendSpring = new Timings(appendWarmup, appends);
        for (int i = 0; i < appendWarmup + appends; i++) {
            List<NewMessage> d = dalWork.prepare(pair(i));
            S s = spring.prepare(pair(i));
            for (int side : order(i)) {
                long[] start = Timings.start();
                if (side == 0) {
                    dalWork.append(dalAppend, d);
                    appendDal.stop(i, start);
                } else {
                    spring.append(springAppend, s);
                    appendSpring.stop(i, start);
                }
            }
        }
        long appended = 2L * (appendWarmup + appends);
        checkCount(dal, dalAppend, appended);
        checkCount(dal, springAppend, appended);
        // What Spring wrote, Dal reads back (same schema), and the other way round.
        checkReadBack(dal, springAppend, pair(appendWarmup + appends - 1));
        check("Spring reads Dal's append", dalWork.latest(dalAppend, 2), spring.latest(dalAppend, 2));

        // ---- 2. latest 20 of the history; 3. a keyset page deep in it ----
        Timings latestDal = new Timings(readWarmup, reads);
        Timings latestSpring = new Timings(readWarmup, reads);
        Timings keysetDal = new Timings(readWarmup, reads);
        Timings keysetSpring = new Timings(readWarmup, reads);
        for (int i = 0; i < readWarmup + reads; i++) {
            for (int side : order(i)) {
                long[] start = Timings.start();
                if (side == 0) {
                    dalWork.latest(historyChat, page);
                    latestDal.stop(i, start);
                } else {
                    spring.latest(historyChat, page);
                    latestSpring.stop(i, start);
                }
            }
        }
        for (int i = 0; i < readWarmup + reads; i++) {
            long after = history / 10 + (i * 7919L) % (history * 8L / 10);
            for (int side : order(i)) {
                long[] start = Timings.start();
                if (side == 0) {
                    dalWork.pageAfter(historyChat, after, page);
                    keysetDal.stop(i, start);
                } else {
                    spring.pageAfter(historyChat, after, page);
                    keysetSpring.stop(i, start);
                }
            }
        }

        // ---- 4. overview of the sessions with their last message ----
        Timings overviewDal = new Timings(overviewWarmup, overviews);
        Timings overviewSpring = new Timings(overviewWarmup, overviews);
        for (int i = 0; i < overviewWarmup + overviews; i++) {
            for (int side : order(i)) {
                long[] start = Timings.start();
                if (side == 0) {
                    dalWork.overview(owner.id(), sessions);
                    overviewDal.stop(i, start);
                } else {
                    spring.overview(owner.id(), sessions);
                    overviewSpring.stop(i, start);
                }
            }
        }

        // ---- 5. bulk insert (append) of 10k messages ----
        String dalBulk = session(dal, "bulk-dal");
        String springBulk = session(dal, "bulk-spring");
        ChatSession spiSession = dal.createChatSession(NewChatSession.of(tag + "-bulk-spi"));
        Timings bulkDal = new Timings(bulkWarmup, bulks);
        Timings bulkSpring = new Timings(bulkWarmup, bulks);
        Timings bulkSpiDal = new Timings(bulkWarmup, bulks);
        for (int i = 0; i < bulkWarmup + bulks; i++) {
            List<ChatInput> in = inputs(i * bulkSize, bulkSize);
            List<NewMessage> d = dalWork.prepare(in);
            S s = spring.prepare(in);
            List<Message> records = bulkSpi ? records(spiSession.id(), (long) i * bulkSize, in) : List.of();
            int[] sides = bulkSpi ? rotation(i) : order(i);
            for (int side : sides) {
                long[] start = Timings.start();
                if (side == 0) {
                    dalWork.append(dalBulk, d);
                    bulkDal.stop(i, start);
                } else if (side == 1) {
                    spring.append(springBulk, s);
                    bulkSpring.stop(i, start);
                } else {
                    dal.bulk().upsertMessages(records);
                    bulkSpiDal.stop(i, start);
                }
            }
        }
        long bulked = (long) bulkSize * (bulkWarmup + bulks);
        checkCount(dal, dalBulk, bulked);
        checkCount(dal, springBulk, bulked);

        // ---- the tables ----
        System.out.println();
        System.out.println("load average at end: " + load());
        System.out.println();
        System.out.println(Timings.header("calls"));
        System.out.println(appendDal.row("1. append user+assistant pair: Dal `addMessages`", 1));
        System.out.println(appendSpring.row("1. append pair: " + spring.name(), 1));
        System.out.println(latestDal.row("2. latest " + page + " of " + history + ": Dal", 1));
        System.out.println(latestSpring.row("2. latest " + page + ": " + spring.name(), 1));
        System.out.println(keysetDal.row("3. keyset page deep in history: Dal `after`", 1));
        System.out.println(keysetSpring.row("3. keyset page: " + spring.name(), 1));
        System.out.println(overviewDal.row("4. overview of " + sessions + " sessions: Dal", 1));
        System.out.println(overviewSpring.row("4. overview: " + spring.name(), 1));
        System.out.println();
        System.out.println(Timings.header("msgs"));
        System.out.println(bulkDal.row("5. bulk " + bulkSize + ": Dal `addMessages`", bulkSize));
        System.out.println(bulkSpring.row("5. bulk " + bulkSize + ": " + spring.name() + " `saveAll`", bulkSize));
        if (bulkSpi) {
            System.out.println(bulkSpiDal.row("5. (reference) Dal `bulk().upsertMessages`", bulkSize));
        }
        System.out.println();
        System.out.println(Timings.ratioHeader());
        System.out.println(Timings.ratio("1. append pair", appendDal, appendSpring));
        System.out.println(Timings.ratio("2. latest " + page, latestDal, latestSpring));
        System.out.println(Timings.ratio("3. keyset page", keysetDal, keysetSpring));
        System.out.println(Timings.ratio("4. overview", overviewDal, overviewSpring));
        System.out.println(Timings.ratio("5. bulk " + bulkSize + " (`addMessages`)", bulkDal, bulkSpring));
        if (bulkSpi) {
            System.out.println(Timings.ratio("5. bulk " + bulkSize + " (bulk SPI upsert)", bulkSpiDal, bulkSpring));
        }
    }

    private String session(DataAccess dal, String name) {
        String chatId = tag + "-" + name;
        dal.createChatSession(NewChatSession.of(chatId));
        return chatId;
    }

    /** ABBA: neither side always goes first. */
    private static int[] order(int round) {
        return (round % 4 == 0 || round % 4 == 3) ? new int[] {0, 1} : new int[] {1, 0};
    }

    private static int[] rotation(int round) {
        return switch (round % 3) {
            case 0 -> new int[] {0, 1, 2};
            case 1 -> new int[] {1, 2, 0};
            default -> new int[] {2, 0, 1};
        };
    }

    private static List<ChatInput> pair(int i) {
        return List.of(input(2L * i, "user"), input(2L * i + 1, "assistant"));
    }

    private static List<ChatInput> inputs(long first, int n) {
        List<ChatInput> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(input(first + i, i % 2 == 0 ? "user" : "assistant"));
        }
        return out;
    }

    private static ChatInput input(long n, String role) {
        ObjectNode metadata = NODES.objectNode();
        metadata.put("source", "bench");
        metadata.put("n", n);
        metadata.put("temperature", 0.7);
        metadata.putArray("tags").add("greeting").add("en");
        // Cut on a code point, never inside the emoji's surrogate pair.
        int cut = FILLER.offsetByCodePoints(0, (int) (n % FILLER.codePointCount(0, FILLER.length())));
        String content = "message " + n + ": " + FILLER + FILLER.substring(0, cut);
        return new ChatInput(role, content, metadata, 12 + (int) (n % 50));
    }

    private static List<Message> records(UUID sessionId, long before, List<ChatInput> in) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        List<Message> out = new ArrayList<>(in.size());
        long seq = before;
        for (ChatInput c : in) {
            NewMessage m = new NewMessage(
                    dev.dal.api.Role.fromWireName(c.role()), c.content(), c.metadata(), c.tokenCount(), false);
            out.add(m.toMessage(Ids.newId(), sessionId, ++seq, now));
        }
        return out;
    }

    private static void check(String what, List<UUID> dal, List<UUID> spring) {
        if (!dal.equals(spring) || dal.isEmpty()) {
            throw new IllegalStateException(
                    what + ": Dal and Spring Data disagree (" + dal.size() + " vs " + spring.size() + " results)");
        }
    }

    private static void checkCount(DataAccess dal, String chatId, long expected) {
        long count = dal.getMessageCount(chatId);
        long rows = dal.getChatHistory(chatId, HistoryQuery.latest(1)).get(0).sequenceNumber();
        if (count != expected || rows != expected) {
            throw new IllegalStateException(
                    chatId + ": expected " + expected + " messages, count " + count + ", last number " + rows);
        }
    }

    private static void checkReadBack(DataAccess dal, String chatId, List<ChatInput> lastPair) {
        List<Message> back = dal.getChatHistory(chatId, HistoryQuery.latest(2));
        for (int i = 0; i < 2; i++) {
            ChatInput in = lastPair.get(i);
            Message m = back.get(i);
            if (!m.content().equals(in.content())
                    || !dev.dal.api.JsonValues.canonical(m.metadata())
                            .equals(dev.dal.api.JsonValues.canonical(in.metadata()))
                    || !Objects.equals(m.tokenCount(), in.tokenCount())
                    || !m.role().wireName().equals(in.role())) {
                throw new IllegalStateException(chatId + ": Dal reads back something else than Spring Data wrote"
                        + " (role " + m.role().wireName() + ", " + m.content().length() + " chars, tokens "
                        + m.tokenCount() + ", metadata equal "
                        + dev.dal.api.JsonValues.canonical(m.metadata())
                                .equals(dev.dal.api.JsonValues.canonical(in.metadata()))
                        + ")");
            }
        }
    }

    static String load() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return parts[0] + ", " + parts[1] + ", " + parts[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }
}
