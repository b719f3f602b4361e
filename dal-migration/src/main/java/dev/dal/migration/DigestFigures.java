package dev.dal.migration;

/**
 * What a verify in {@link VerifyMode#DIGEST} did for messages.
 *
 * @param rangesDigested session ranges whose digests were compared (each once per store)
 * @param rangesRead ranges that differed and were read record by record
 * @param messagesRead messages read from both stores together, all in those ranges
 */
public record DigestFigures(long rangesDigested, long rangesRead, long messagesRead) {}
