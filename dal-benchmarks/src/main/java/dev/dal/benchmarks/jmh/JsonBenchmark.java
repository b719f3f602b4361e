package dev.dal.benchmarks.jmh;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dal.api.JsonValues;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * {@link JsonValues}: the canonical copy every record makes of its JSON (a message's metadata, a user's profile),
 * and the text form the stores read and write, for the typical message metadata and a ~1.7 KB profile-like tree.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class JsonBenchmark {
    private ObjectNode metadata;
    private ObjectNode profile;
    private String metadataText;
    private String profileText;

    /** Builds the trees and their text. */
    @Setup
    public void setUp() {
        metadata = BenchData.metadata(1);
        profile = BenchData.profile();
        metadataText = JsonValues.write(metadata);
        profileText = JsonValues.write(profile);
    }

    /** @return {@code JsonValues.canonical} of the message metadata: a deep copy with numbers normalized */
    @Benchmark
    public JsonNode canonicalMetadata() {
        return JsonValues.canonical(metadata);
    }

    /** @return {@code JsonValues.canonicalObject} of the metadata: what {@code Message}'s constructor runs */
    @Benchmark
    public ObjectNode canonicalObjectMetadata() {
        return JsonValues.canonicalObject(metadata, "message.metadata");
    }

    /** @return {@code JsonValues.canonical} of the profile tree */
    @Benchmark
    public JsonNode canonicalProfile() {
        return JsonValues.canonical(profile);
    }

    /** @return {@code JsonValues.write} of the metadata (Jackson's mapper, as the file store and Neo4j use) */
    @Benchmark
    public String writeMetadata() {
        return JsonValues.write(metadata);
    }

    /** @return {@code JsonValues.parse} of the metadata's text: Jackson's tree, then the canonical copy */
    @Benchmark
    public JsonNode parseMetadata() {
        return JsonValues.parse(metadataText);
    }

    /** @return {@code JsonValues.parse} of the profile's text */
    @Benchmark
    public JsonNode parseProfile() {
        return JsonValues.parse(profileText);
    }
}
