package dev.dal.benchmarks.spring.neo4j;

import java.time.ZonedDateTime;
import org.springframework.data.annotation.Transient;
import org.springframework.data.domain.Persistable;
import org.springframework.data.neo4j.core.schema.Id;
import org.springframework.data.neo4j.core.schema.Node;
import org.springframework.data.neo4j.core.schema.Property;

/**
 * A message mapped by Spring Data Neo4j onto Dal's {@code Message} nodes, property for property as Dal writes them:
 * {@code session_id} repeats the session's id (Dal's (session, sequence) constraint is on it), metadata is JSON text,
 * {@code created_at} a UTC {@code DATETIME}. The application assigns the id, so the entity says it is new through
 * {@link Persistable}. The {@code HAS_MESSAGE} relationship from the session is not mapped (see
 * {@link SessionNodeRepository#link}).
 */
@Node("Message")
public class MessageNode implements Persistable<String> {
    @Id
    private String id;

    @Property("session_id")
    private String sessionId;

    @Property("sequence_number")
    private long sequenceNumber;

    private String role;
    private String content;
    private String metadata;

    @Property("token_count")
    private Long tokenCount;

    @Property("abuse_flagged")
    private boolean abuseFlagged;

    @Property("created_at")
    private ZonedDateTime createdAt;

    @Transient
    private boolean fresh;

    /** For Spring Data's mapping of nodes read back. */
    public MessageNode() {}

    /**
     * @param id the id the application assigns
     * @param sessionId the session's id
     * @param sequenceNumber its number in the session
     * @param role who wrote it
     * @param content the text
     * @param metadata a JSON object as text
     * @param tokenCount the token count, or {@code null}
     * @param createdAt when it was written
     * @return a message {@code saveAll} will create
     */
    public static MessageNode create(
            String id,
            String sessionId,
            long sequenceNumber,
            String role,
            String content,
            String metadata,
            Long tokenCount,
            ZonedDateTime createdAt) {
        MessageNode m = new MessageNode();
        m.id = id;
        m.sessionId = sessionId;
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
    public String getId() {
        return id;
    }

    @Override
    @Transient
    public boolean isNew() {
        return fresh;
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

    public String getMetadata() {
        return metadata;
    }

    public Long getTokenCount() {
        return tokenCount;
    }

    public boolean isAbuseFlagged() {
        return abuseFlagged;
    }

    public ZonedDateTime getCreatedAt() {
        return createdAt;
    }
}
