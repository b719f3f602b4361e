package dev.dal.benchmarks.spring.neo4j;

import java.time.ZonedDateTime;
import org.springframework.data.neo4j.core.schema.Id;
import org.springframework.data.neo4j.core.schema.Node;
import org.springframework.data.neo4j.core.schema.Property;

/**
 * A chat session mapped by Spring Data Neo4j onto Dal's own {@code ChatSession} nodes, property for property as Dal
 * writes them ({@code chat_id}, {@code message_count}, {@code last_message_at}, …; times as UTC {@code DATETIME}, JSON
 * as text). No relationship is mapped: the owner ({@code (:User)-[:HAS_CHAT_SESSION]->}) and the messages
 * ({@code -[:HAS_MESSAGE]->(:Message)}) stay out of the entity, so loading a session never loads a 10,000-message
 * history, and saving one never re-saves it. The counter is moved by a {@code @Query}, not by {@code save}, so Dal's
 * {@code version} is a plain property here, not SDN's {@code @Version}.
 */
@Node("ChatSession")
public class SessionNode {
    @Id
    private String id;

    @Property("chat_id")
    private String chatId;

    private String title;
    private String profile;
    private String metadata;
    private String status;

    @Property("created_at")
    private ZonedDateTime createdAt;

    @Property("updated_at")
    private ZonedDateTime updatedAt;

    @Property("last_message_at")
    private ZonedDateTime lastMessageAt;

    @Property("message_count")
    private long messageCount;

    private long version;

    /** For Spring Data's mapping of nodes read back. */
    public SessionNode() {}

    public String getId() {
        return id;
    }

    public String getChatId() {
        return chatId;
    }

    public String getTitle() {
        return title;
    }

    public String getProfile() {
        return profile;
    }

    public String getMetadata() {
        return metadata;
    }

    public String getStatus() {
        return status;
    }

    public ZonedDateTime getCreatedAt() {
        return createdAt;
    }

    public ZonedDateTime getUpdatedAt() {
        return updatedAt;
    }

    public ZonedDateTime getLastMessageAt() {
        return lastMessageAt;
    }

    public long getMessageCount() {
        return messageCount;
    }

    public long getVersion() {
        return version;
    }
}
