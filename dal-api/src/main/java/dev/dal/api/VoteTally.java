package dev.dal.api;

/**
 * The votes one message has.
 *
 * @param sequenceNumber the message's place in its conversation
 * @param up how many users voted it {@link Vote#UP}
 * @param down how many users voted it {@link Vote#DOWN}
 */
public record VoteTally(long sequenceNumber, long up, long down) {}
