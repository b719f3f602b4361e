/** The file store: {@link dev.dal.file.FileStoreProvider}. Layout and guarantees in the module README. */
package dev.dal.file;
