package dev.dal.dualwrite;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One field that differs between the primary's and the secondary's answer to the same read.
 *
 * @param path a JSON pointer into the answer, e.g. {@code /title} or {@code /2/content}
 * @param primary the primary's value, or {@code null} when the primary has no such field
 * @param secondary the secondary's value, or {@code null} when the secondary has no such field
 */
public record FieldDifference(String path, JsonNode primary, JsonNode secondary) {}
