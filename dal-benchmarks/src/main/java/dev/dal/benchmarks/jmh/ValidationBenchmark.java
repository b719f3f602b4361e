package dev.dal.benchmarks.jmh;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.Message;
import dev.dal.api.NewMessage;
import dev.dal.api.NewUser;
import dev.dal.api.bulk.BulkAccess;
import dev.dal.api.internal.RecordValidator;
import dev.dal.api.internal.ValidatingDataAccess;
import dev.dal.api.internal.Validator;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Validation at the API edge, before any store is called: the rules one message, a batch of {@value
 * BenchData#BATCH}, a new user and a memory value go through. The {@code edge*} benchmarks call {@link
 * ValidatingDataAccess} (what every store's callers get) over a store that does nothing, so they measure all Dal
 * does before a backend sees the call: validation, the defensive copy, the id checks, the call's bookkeeping.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class ValidationBenchmark {
    private Validator validator;
    private RecordValidator records;
    private DataAccess edge;
    private NewMessage message;
    private List<NewMessage> batch;
    private NewUser user;
    private JsonNode profile;
    private UUID userId;

    /** Builds the inputs and the edge over a store that does nothing. */
    @Setup
    public void setUp() {
        validator = new Validator(DalConfig.fromMap(Map.of()));
        records = new RecordValidator(validator);
        edge = new ValidatingDataAccess(idleStore(), "bench", validator, Duration.ofSeconds(5));
        message = BenchData.newMessage(1);
        batch = BenchData.newMessages();
        profile = BenchData.profile();
        user = NewUser.builder()
                .externalId("user_2bench0000000000000000001")
                .email("zoe@example.org")
                .name("Zoë Müller-Øberg")
                .profile(profile)
                .build();
        userId = BenchData.SESSION_ID;
    }

    /**
     * @return the message, after {@code RecordValidator.newMessage}: role, content (length, NUL, surrogates),
     *     metadata (object, depth, size, numbers), token count
     */
    @Benchmark
    public NewMessage newMessage() {
        records.newMessage("message", message);
        return message;
    }

    /**
     * @return the batch, after {@code RecordValidator.newMessage} on each of its messages (the rules alone, as a
     *     loop with one constant field name)
     */
    @Benchmark
    public List<NewMessage> newMessageTimes1000() {
        for (NewMessage m : batch) {
            records.newMessage("messages", m);
        }
        return batch;
    }

    /**
     * @return the batch, after {@code RecordValidator.newMessage} on each message with the field name {@code
     *     ValidatingDataAccess.addMessages} passes ({@code "messages[" + i + "]"}, built on the happy path too):
     *     against {@link #newMessageTimes1000()}, the cost of those names
     */
    @Benchmark
    public List<NewMessage> newMessageTimes1000IndexedNames() {
        for (int i = 0; i < batch.size(); i++) {
            records.newMessage("messages[" + i + "]", batch.get(i));
        }
        return batch;
    }

    /** @return the batch, after {@code Validator.batch}: not empty, not too long, no {@code null} element */
    @Benchmark
    public List<NewMessage> batchShape1000() {
        return validator.batch("messages", batch);
    }

    /** @return what the idle store returns, after the edge validated one {@code addMessage} */
    @Benchmark
    public Message edgeAddMessage() {
        return edge.addMessage("bench-chat", message);
    }

    /** @return what the idle store returns, after the edge validated and copied one {@code addMessages} of 1,000 */
    @Benchmark
    public List<Message> edgeAddMessages1000() {
        return edge.addMessages("bench-chat", batch);
    }

    /** @return the request, after {@code RecordValidator.newUser} (external id, e-mail, name, a ~1.7 KB profile) */
    @Benchmark
    public NewUser newUserWithProfile() {
        records.newUser(user);
        return user;
    }

    /** @return what the idle store returns, after the edge validated a ~1.7 KB memory value */
    @Benchmark
    public Object edgeSetUserMemoryProfile() {
        return edge.setUserMemory(userId, "profile", "summary", profile, null);
    }

    /**
     * A store that answers the calls the benchmarks make with a constant and refuses the rest: the cost of the
     * backend is left out on purpose.
     */
    private static DataAccess idleStore() {
        Message stored = BenchData.message(1);
        BulkAccess bulk = (BulkAccess) Proxy.newProxyInstance(
                BulkAccess.class.getClassLoader(), new Class<?>[] {BulkAccess.class}, (proxy, method, args) -> {
                    throw new UnsupportedOperationException(method.getName());
                });
        return (DataAccess) Proxy.newProxyInstance(
                DataAccess.class.getClassLoader(), new Class<?>[] {DataAccess.class}, (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "addMessage":
                            return stored;
                        case "addMessages":
                            return List.of();
                        case "setUserMemory":
                            return null;
                        case "bulk":
                            return bulk;
                        default:
                            throw new UnsupportedOperationException(method.getName());
                    }
                });
    }
}
