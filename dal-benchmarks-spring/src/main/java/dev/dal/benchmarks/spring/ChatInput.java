package dev.dal.benchmarks.spring;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What an application hands either side for one new message, built outside the timed region.
 *
 * @param role {@code user} or {@code assistant}
 * @param content the text
 * @param metadata a JSON object
 * @param tokenCount the token count
 */
public record ChatInput(String role, String content, JsonNode metadata, Integer tokenCount) {}
