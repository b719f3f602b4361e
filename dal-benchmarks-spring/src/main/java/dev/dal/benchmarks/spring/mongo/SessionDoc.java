package dev.dal.benchmarks.spring.mongo;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import org.springframework.data.annotation.Id;
import org.springframework.data.mongodb.core.mapping.Document;
import org.springframework.data.mongodb.core.mapping.Field;

/**
 * A chat session mapped by Spring Data MongoDB onto Dal's own {@code chat_sessions} collection: the same field names
 * ({@code chat_id}, {@code message_count}, …), the UUID as a string in {@code _id} and again in {@code id} (Dal's
 * unique index is on it). Messages are documents of their own ({@code chat_messages}), not embedded.
 */
@Document("chat_sessions")
public class SessionDoc {
    @Id
    private String id;

    @Field("id")
    private String plainId;

    @Field("chat_id")
    private String chatId;

    @Field("user_id")
    private String userId;

    private String title;
    private String profile;
    private JsonNode metadata;
    private String status;

    @Field("created_at")
    private Instant createdAt;

    @Field("updated_at")
    private Instant updatedAt;

    @Field("last_message_at")
    private Instant lastMessageAt;

    @Field("last_activity_at")
    private Instant lastActivityAt;

    @Field("message_count")
    private long messageCount;

    private long version;

    public String getId() {
        return id;
    }

    public String getPlainId() {
        return plainId;
    }

    public String getChatId() {
        return chatId;
    }

    public String getUserId() {
        return userId;
    }

    public String getTitle() {
        return title;
    }

    public String getProfile() {
        return profile;
    }

    public JsonNode getMetadata() {
        return metadata;
    }

    public String getStatus() {
        return status;
    }

    public Instant getCreatedAt() {
        return createdAt;
    }

    public Instant getUpdatedAt() {
        return updatedAt;
    }

    public Instant getLastMessageAt() {
        return lastMessageAt;
    }

    public Instant getLastActivityAt() {
        return lastActivityAt;
    }

    public long getMessageCount() {
        return messageCount;
    }

    public long getVersion() {
        return version;
    }
}
