/**
 * Moving data between Dal stores: {@link dev.dal.migration.StoreUri} names a store,
 * {@link dev.dal.migration.StoreCopier} copies every record with checkpoints and partitions,
 * {@link dev.dal.migration.StoreVerifier} compares two stores record by record,
 * {@link dev.dal.migration.StoreRepairer} copies the differences, {@link dev.dal.migration.Archive}
 * exports and imports NDJSON archives, {@link dev.dal.migration.TinyDbImporter} imports legacy
 * TinyDB chat files and {@link dev.dal.migration.JsonDirImporter} legacy directories of JSON files
 * (the legacy PHP chat application's {@code data/}), both reporting in an {@link dev.dal.migration.ImportReport}.
 * Everything works through {@link dev.dal.api.bulk.BulkAccess}, so it works for every backend.
 */
package dev.dal.migration;
