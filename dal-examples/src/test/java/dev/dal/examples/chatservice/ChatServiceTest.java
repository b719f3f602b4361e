package dev.dal.examples.chatservice;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The chat service on a random port, on a file store in a temporary directory, driven over HTTP as a client would:
 * a conversation written and read back in order, Dal's errors as 400, 404 and 409 with small bodies, health UP.
 */
@SpringBootTest(
        classes = ChatServiceApplication.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        // The file store whatever the environment says, so the test reads no outside store.
        properties = "dal.storage-type=file")
@DirtiesContext
class ChatServiceTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path dataDir;

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void store(DynamicPropertyRegistry registry) {
        registry.add("dal.data-dir", () -> dataDir.toString());
    }

    @Test
    void aConversationIsWrittenAndReadBackInOrder() throws Exception {
        Answer user = post("/users", "{\"externalId\":\"clerk_1\",\"name\":\"Ada\"}");
        assertThat(user.status()).as(user.text()).isEqualTo(201);
        String userId = user.json().path("id").asText();

        Answer chat = post("/chats", "{\"chatId\":\"chat-1\",\"userId\":\"" + userId + "\",\"title\":\"First\"}");
        assertThat(chat.status()).as(chat.text()).isEqualTo(201);
        assertThat(chat.json().path("userId").asText()).isEqualTo(userId);

        Answer question = post("/chats/chat-1/messages", "{\"role\":\"user\",\"content\":\"What is Dal?\"}");
        Answer reply = post("/chats/chat-1/messages", "{\"role\":\"assistant\",\"content\":\"A data access layer.\"}");
        assertThat(question.status()).as(question.text()).isEqualTo(201);
        assertThat(reply.status()).as(reply.text()).isEqualTo(201);
        assertThat(question.json().path("sequenceNumber").asLong()).isEqualTo(1);
        assertThat(reply.json().path("sequenceNumber").asLong()).isEqualTo(2);

        Answer history = get("/chats/chat-1/messages?limit=10");
        assertThat(history.status()).as(history.text()).isEqualTo(200);
        assertThat(contents(history)).containsExactly("What is Dal?", "A data access layer.");
        assertThat(roles(history)).containsExactly("user", "assistant");
        assertThat(history.json().path("firstSequenceNumber").asLong()).isEqualTo(1);
        assertThat(history.json().path("lastSequenceNumber").asLong()).isEqualTo(2);

        // Keyset pages: the newest one alone, then the page before it, then the page after the first.
        assertThat(contents(get("/chats/chat-1/messages?limit=1"))).containsExactly("A data access layer.");
        assertThat(contents(get("/chats/chat-1/messages?limit=1&before=2"))).containsExactly("What is Dal?");
        assertThat(contents(get("/chats/chat-1/messages?after=1"))).containsExactly("A data access layer.");
        assertThat(contents(get("/chats/chat-1/messages?after=2"))).isEmpty();

        Answer stored = get("/chats/chat-1");
        assertThat(stored.json().path("messageCount").asLong()).isEqualTo(2);
        assertThat(get("/users/" + userId).json().path("externalId").asText()).isEqualTo("clerk_1");
    }

    @Test
    void aBadRequestIs400NamingTheField() throws Exception {
        assertThat(post("/chats", "{\"chatId\":\"chat-bad\"}").status()).isEqualTo(201);

        Answer role = post("/chats/chat-bad/messages", "{\"role\":\"robot\",\"content\":\"beep\"}");
        assertThat(role.status()).as(role.text()).isEqualTo(400);
        assertThat(role.json().path("error").asText()).isEqualTo("invalid_request");
        assertThat(role.json().path("field").asText()).isEqualTo("role");
        assertSmall(role);

        Answer content = post("/chats/chat-bad/messages", "{\"role\":\"user\"}");
        assertThat(content.status()).as(content.text()).isEqualTo(400);
        assertThat(content.json().path("field").asText()).isEqualTo("message.content");

        Answer limit = get("/chats/chat-bad/messages?limit=0");
        assertThat(limit.status()).as(limit.text()).isEqualTo(400);
        assertThat(limit.json().path("field").asText()).contains("limit");

        Answer mistyped = get("/chats/chat-bad/messages?limit=ten");
        assertThat(mistyped.status()).as(mistyped.text()).isEqualTo(400);
        assertThat(mistyped.json().path("field").asText()).isEqualTo("limit");

        Answer userId = post("/chats", "{\"chatId\":\"chat-x\",\"userId\":\"not-a-uuid\"}");
        assertThat(userId.status()).as(userId.text()).isEqualTo(400);
        assertThat(userId.json().path("field").asText()).isEqualTo("userId");
        assertSmall(userId);

        Answer notJson = post("/chats", "{chatId");
        assertThat(notJson.status()).as(notJson.text()).isEqualTo(400);
        assertThat(notJson.json().path("field").asText()).isEqualTo("body");
        assertSmall(notJson);
    }

    @Test
    void anUnknownChatIs404() throws Exception {
        Answer history = get("/chats/no-such-chat/messages");
        assertThat(history.status()).as(history.text()).isEqualTo(404);
        assertThat(history.json().path("error").asText()).isEqualTo("not_found");
        assertSmall(history);

        Answer send = post("/chats/no-such-chat/messages", "{\"role\":\"user\",\"content\":\"hello?\"}");
        assertThat(send.status()).as(send.text()).isEqualTo(404);
        assertThat(send.text()).doesNotContain("no-such-chat");
        assertThat(get("/chats/no-such-chat").status()).isEqualTo(404);
    }

    @Test
    void aTakenChatIdIs409() throws Exception {
        assertThat(post("/chats", "{\"chatId\":\"chat-twice\"}").status()).isEqualTo(201);
        Answer again = post("/chats", "{\"chatId\":\"chat-twice\"}");
        assertThat(again.status()).as(again.text()).isEqualTo(409);
        assertThat(again.json().path("error").asText()).isEqualTo("conflict");
        assertThat(again.json().path("field").asText()).isEqualTo("chatId");
        assertSmall(again);
    }

    @Test
    void healthIsUpWithTheStarterIndicator() throws Exception {
        Answer health = get("/actuator/health");
        assertThat(health.status()).as(health.text()).isEqualTo(200);
        assertThat(health.json().path("status").asText()).isEqualTo("UP");
        JsonNode dal = health.json().path("components").path("dal");
        assertThat(dal.path("status").asText()).as(health.text()).isEqualTo("UP");
        assertThat(dal.path("details").path("storageType").asText()).isEqualTo("file");
    }

    /** An error body is the four fields and nothing that tells how the server is built. */
    private static void assertSmall(Answer answer) {
        List<String> names = new ArrayList<>();
        answer.json().fieldNames().forEachRemaining(names::add);
        assertThat(names).isSubsetOf("status", "error", "message", "field");
        assertThat(answer.text()).doesNotContain("Exception", "\tat ", "dev.dal", "com.fasterxml");
    }

    private static List<String> contents(Answer history) {
        List<String> found = new ArrayList<>();
        history.json().path("messages").forEach(m -> found.add(m.path("content").asText()));
        return found;
    }

    private static List<String> roles(Answer history) {
        List<String> found = new ArrayList<>();
        history.json().path("messages").forEach(m -> found.add(m.path("role").asText()));
        return found;
    }

    private Answer post(String path, String body) throws Exception {
        return send(HttpRequest.newBuilder(uri(path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build());
    }

    private Answer get(String path) throws Exception {
        return send(HttpRequest.newBuilder(uri(path)).GET().build());
    }

    private URI uri(String path) {
        return URI.create("http://localhost:" + port + path);
    }

    private static Answer send(HttpRequest request) throws Exception {
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        return new Answer(response.statusCode(), response.body());
    }

    /** A status and its body. */
    private record Answer(int status, String text) {
        JsonNode json() {
            try {
                return JSON.readTree(text);
            } catch (java.io.IOException e) {
                throw new AssertionError("not JSON: " + text, e);
            }
        }
    }
}
