package dev.dal.examples.chatservice;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A small chat HTTP service on {@code dal-spring-boot-starter}: users, chats, messages and their history over
 * Spring MVC ({@link ChatController}), Dal's errors as HTTP statuses ({@link DalErrorHandler}), and the
 * starter's health indicator at {@code /actuator/health}.
 *
 * <p>The store is the one Dal's settings name, read by the starter: the file store under
 * {@code target/chat-service-data} (or {@code DATA_DIR}) by default, any other with {@code DATA_STORAGE_TYPE} and
 * that store's settings in the environment, or the same settings as {@code dal.*} properties.
 */
@SpringBootApplication
public class ChatServiceApplication {

    /** Created by Spring. */
    public ChatServiceApplication() {}

    /**
     * Starts the service; it runs until the JVM is stopped.
     *
     * @param args Spring Boot's command-line arguments, e.g. {@code --server.port=8081}
     */
    public static void main(String[] args) {
        SpringApplication.run(ChatServiceApplication.class, args);
    }
}
