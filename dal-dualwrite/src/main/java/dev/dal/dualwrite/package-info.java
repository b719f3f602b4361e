/**
 * The dual-write decorator, {@link dev.dal.dualwrite.DualWriteDataAccess}: writes to a primary and a secondary
 * store, compares reads, and keeps a durable repair journal, for moving a live application from one store to
 * another. {@link dev.dal.api.DataAccessFactory} builds it when {@code MIGRATION_ENABLE_DUAL_WRITE=true}; its
 * settings, counters, mismatches and journal entries are the other types here.
 */
package dev.dal.dualwrite;
