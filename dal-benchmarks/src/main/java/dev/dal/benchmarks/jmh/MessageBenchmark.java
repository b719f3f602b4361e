package dev.dal.benchmarks.jmh;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dal.api.Message;
import dev.dal.api.NewMessage;
import dev.dal.api.Role;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The {@link Message} record: built from a request by {@link NewMessage#toMessage} (what every backend does per
 * message it adds), built directly (what every row or document read does), and its {@code metadata()} accessor,
 * which returns a copy (what every backend's write mapping calls).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class MessageBenchmark {
    private NewMessage request;
    private Message message;
    private ObjectNode metadata;
    private String content;

    /** Builds the inputs. */
    @Setup
    public void setUp() {
        request = BenchData.newMessage(1);
        message = BenchData.message(1);
        metadata = BenchData.metadata(1);
        content = BenchData.text(1);
    }

    /** @return {@code NewMessage.toMessage}: the record a backend stores for a request */
    @Benchmark
    public Message toMessage() {
        return request.toMessage(BenchData.MESSAGE_ID, BenchData.SESSION_ID, 2, BenchData.CREATED_AT);
    }

    /** @return a record built with its canonical constructor (metadata copied, time truncated) */
    @Benchmark
    public Message construct() {
        return new Message(
                BenchData.MESSAGE_ID,
                BenchData.SESSION_ID,
                2,
                Role.USER,
                content,
                metadata,
                21,
                false,
                BenchData.CREATED_AT);
    }

    /** @return {@code Message.metadata()}: a deep copy of the metadata */
    @Benchmark
    public ObjectNode metadataAccess() {
        return message.metadata();
    }
}
