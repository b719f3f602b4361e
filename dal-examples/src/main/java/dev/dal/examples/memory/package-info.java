/**
 * An in-memory backend ({@code DATA_STORAGE_TYPE=memory}): a whole backend in one module, found by
 * {@link dev.dal.api.DataAccessFactory} through its service file.
 */
package dev.dal.examples.memory;
