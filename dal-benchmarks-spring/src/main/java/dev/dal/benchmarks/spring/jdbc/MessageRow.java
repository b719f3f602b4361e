package dev.dal.benchmarks.spring.jdbc;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.UUID;
import org.springframework.data.annotation.Id;
import org.springframework.data.annotation.Transient;
import org.springframework.data.domain.Persistable;
import org.springframework.data.relational.core.mapping.Table;

/**
 * A message as a Spring Data JDBC aggregate root on Dal's {@code messages} table. The application assigns the id
 * (as Dal does), so the entity tells Spring Data it is new through {@link Persistable}, the way the reference
 * documentation shows for pre-set ids; otherwise {@code save} would issue an UPDATE.
 */
@Table("messages")
public class MessageRow implements Persistable<UUID> {
    @Id
    private UUID id;

    private UUID chatSessionId;
    private long sequenceNumber;
    private String role;
    private String content;
    private JsonNode metadata;
    private Integer tokenCount;
    private boolean abuseFlagged;
    private Instant createdAt;

    @Transient
    private boolean fresh;

    /** For Spring Data's mapping of rows read back. */
    public MessageRow() {}

    /**
     * @param id the id the application assigns
     * @param chatSessionId the session's id
     * @param sequenceNumber its number in the session
     * @param role who wrote it
     * @param content the text
     * @param metadata a JSON object
     * @param tokenCount the token count, or {@code null}
     * @param createdAt when it was written
     * @return a message {@code save} will INSERT
     */
    public static MessageRow create(
            UUID id,
            UUID chatSessionId,
            long sequenceNumber,
            String role,
            String content,
            JsonNode metadata,
            Integer tokenCount,
            Instant createdAt) {
        MessageRow m = new MessageRow();
        m.id = id;
        m.chatSessionId = chatSessionId;
        m.sequenceNumber = sequenceNumber;
        m.role = role;
        m.content = content;
        m.metadata = metadata;
        m.tokenCount = tokenCount;
        m.createdAt = createdAt;
        m.fresh = true;
        return m;
    }

    @Override
    public UUID getId() {
        return id;
    }

    @Override
    @Transient
    public boolean isNew() {
        return fresh;
    }

    public UUID getChatSessionId() {
        return chatSessionId;
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
}
