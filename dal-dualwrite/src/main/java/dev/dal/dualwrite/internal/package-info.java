/**
 * How {@link dev.dal.dualwrite.DualWriteDataAccess} works: replication steps, the per-record lock
 * stripes, the secondary's time limit, the repair journal file, read comparison and the optional
 * Micrometer binding. Not API.
 */
package dev.dal.dualwrite.internal;
