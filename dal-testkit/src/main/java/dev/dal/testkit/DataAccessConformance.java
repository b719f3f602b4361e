package dev.dal.testkit;

/**
 * The whole conformance kit. A backend joins with one class:
 *
 * <pre>{@code
 * class FileStoreConformanceTest implements DataAccessConformance {
 *     public StoreProvider storeProvider() { return new FileStoreProvider(); }
 * }
 * }</pre>
 */
public interface DataAccessConformance extends ConformanceTest {
}
