package dev.dal.file.internal;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One line of the rollback journal: how to put one path back the way it was before the current
 * unit of work touched it.
 *
 * @param op {@code file} (restore bytes, or delete when {@code data} is null), {@code length}
 *     (cut back, or delete when -1), {@code region} (restore bytes at an offset), {@code mkdir}
 *     (delete the tree), {@code move} (move {@code to} back to {@code path})
 * @param path the path, relative to the store root
 * @param to for {@code move}: where the path was moved
 * @param offset for {@code region}
 * @param length for {@code length}
 * @param data original bytes, Base64, for {@code file} and {@code region}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record UndoRecord(String op, String path, String to, Long offset, Long length, String data) {
    static final String FILE = "file";
    static final String LENGTH = "length";
    static final String REGION = "region";
    static final String MKDIR = "mkdir";
    static final String MOVE = "move";
}
