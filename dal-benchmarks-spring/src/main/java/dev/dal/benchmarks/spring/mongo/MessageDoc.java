package dev.dal.benchmarks.spring.mongo;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import org.springframework.data.annotation.Id;
import org.springframework.data.annotation.Transient;
import org.springframework.data.domain.Persistable;
import org.springframework.data.mongodb.core.mapping.Document;
import org.springframework.data.mongodb.core.mapping.Field;

/**
 * A message mapped by Spring Data MongoDB onto Dal's {@code chat_messages} collection, field for field as Dal writes
 * it (including {@code _schema_version}). The application assigns the id, so the entity says it is new through
 * {@link Persistable}: then {@code saveAll} is one {@code insertMany}, not one upsert per document.
 */
@Document("chat_messages")
public class MessageDoc implements Persistable<String> {
    @Id
    private String id;

    @Field("id")
    private String plainId;

    @Field("session_id")
    private String sessionId;

    @Field("sequence_number")
    private long sequenceNumber;

    private String role;
    private String content;
    private JsonNode metadata;

    @Field("token_count")
    private Integer tokenCount;

    @Field("abuse_flagged")
    private boolean abuseFlagged;

    @Field("created_at")
    private Instant createdAt;

    @Field("_schema_version")
    private String schemaVersion;

    @Transient
    private boolean fresh;

    /** For Spring Data's mapping of documents read back. */
    public MessageDoc() {}

    /**
     * @param id the id the application assigns
     * @param sessionId the session's id
     * @param sequenceNumber its number in the session
     * @param role who wrote it
     * @param content the text
     * @param metadata a JSON object
     * @param tokenCount the token count, or {@code null}
     * @param createdAt when it was written
     * @return a message {@code saveAll} will insert
     */
    public static MessageDoc create(
            String id,
            String sessionId,
            long sequenceNumber,
            String role,
            String content,
            JsonNode metadata,
            Integer tokenCount,
            Instant createdAt) {
        MessageDoc m = new MessageDoc();
        m.id = id;
        m.plainId = id;
        m.sessionId = sessionId;
        m.sequenceNumber = sequenceNumber;
        m.role = role;
        m.content = content;
        m.metadata = metadata;
        m.tokenCount = tokenCount;
        m.createdAt = createdAt;
        m.schemaVersion = "1.0.0";
        m.fresh = true;
        return m;
    }

    @Override
    public String getId() {
        return id;
    }

    @Override
    @Transient
    public boolean isNew() {
        return fresh;
    }

    public String getPlainId() {
        return plainId;
    }

    public String getSessionId() {
        return sessionId;
    }

    public long getSequenceNumber() {
        return sequenceNumber;
    }

    public String getRole() {
        return role;
    }

    public String getContent() {
        return content;
    }

    public JsonNode getMetadata() {
        return metadata;
    }

    public Integer getTokenCount() {
        return tokenCount;
    }

    public boolean isAbuseFlagged() {
        return abuseFlagged;
    }

    public Instant getCreatedAt() {
        return createdAt;
    }

    public String getSchemaVersion() {
        return schemaVersion;
    }
}
