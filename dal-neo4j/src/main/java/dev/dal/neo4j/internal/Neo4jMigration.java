package dev.dal.neo4j.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * One versioned schema change: Cypher statements that apply it and statements that undo it, each
 * run in an auto-commit transaction (schema statements and {@code CALL … IN TRANSACTIONS} need one).
 * The checksum covers every statement, so an edited change is noticed.
 *
 * @param version the version, ordered as applied
 * @param description one line
 * @param up the statements that apply it, in order; each safe to run again
 * @param down the statements that undo it, in order; empty when there is nothing to undo
 */
record Neo4jMigration(String version, String description, List<String> up, List<String> down) {

    Neo4jMigration {
        up = List.copyOf(up);
        down = List.copyOf(down);
    }

    /** @return the SHA-256 of the statements, hex */
    String checksum() {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String statement : up) {
                sha.update(("up\n" + statement + "\n").getBytes(StandardCharsets.UTF_8));
            }
            for (String statement : down) {
                sha.update(("down\n" + statement + "\n").getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
