package dev.dal.testkit;

/**
 * The whole conformance kit. A backend joins with one class:
 *
 * <pre>{@code
 * class FileStoreConformanceTest implements DataAccessConformance {
 *     public StoreProvider storeProvider() { return new FileStoreProvider(); }
 * }
 * }</pre>
 *
 * Tests a backend cannot pass are skipped with {@link OptOut} on that class, each with a reason;
 * tests that need a {@link dev.dal.api.Capability} the store does not declare are skipped by the kit.
 */
public interface DataAccessConformance
        extends UserContract,
                SessionContract,
                SessionFilterContract,
                SearchContract,
                VoteContract,
                TokenUsageContract,
                MessageContract,
                HistoryContract,
                MemoryContract,
                TransactionContract,
                ConcurrencyContract,
                JsonFidelityContract,
                TimestampContract,
                ValidationContract,
                ErrorContract,
                BulkContract,
                DigestContract,
                HostileInputContract,
                PersistenceContract,
                CapabilityContract,
                RepeatableWriteContract,
                DeadlineContract,
                FaultContract,
                VersionContract,
                MetricsContract {}
