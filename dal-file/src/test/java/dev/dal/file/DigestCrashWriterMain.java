package dev.dal.file;

import dev.dal.api.DataAccess;
import dev.dal.api.HistoryQuery;
import dev.dal.api.Message;
import dev.dal.api.NewMessage;
import dev.dal.file.internal.CrashSimulation;
import java.nio.file.Path;
import java.util.List;

/**
 * The writer {@link FileDigestCrashTest} crashes: with {@link CrashSimulation} installed at a given durable step, it
 * opens the store, adds a pair of messages to {@link #CHAT} and replaces the session's first message by a bulk
 * upsert, then prints {@code DONE}. Arguments: data dir, the step to crash at, the round (for the contents).
 */
public final class DigestCrashWriterMain {
    /** The session written to. */
    static final String CHAT = "crashed";

    private DigestCrashWriterMain() {}

    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        long crashAt = Long.parseLong(args[1]);
        String round = args[2];
        CrashWriterMain.exitWhenOrphaned();
        CrashSimulation.install(crashAt, () -> {});
        try (DataAccess store = CrashWriterMain.open(dir)) {
            store.addMessages(CHAT, List.of(NewMessage.user("u" + round), NewMessage.assistant("a" + round)));
            Message m = store.getChatHistory(CHAT, HistoryQuery.after(0, 1)).get(0);
            store.bulk()
                    .upsertMessages(List.of(new Message(
                            m.id(),
                            m.sessionId(),
                            m.sequenceNumber(),
                            m.role(),
                            "replaced in round " + round,
                            m.metadata(),
                            m.tokenCount(),
                            m.abuseFlagged(),
                            m.createdAt())));
        }
        System.out.println("DONE");
    }
}
