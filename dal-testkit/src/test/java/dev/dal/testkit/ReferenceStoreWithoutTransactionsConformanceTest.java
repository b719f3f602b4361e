package dev.dal.testkit;

import dev.dal.api.Capability;
import java.util.EnumSet;

/**
 * Runs the transaction and capability contracts against a reference store that declares no
 * capabilities, so the kit's skipping of {@link Requires} tests and its no-transactions clause run too.
 */
class ReferenceStoreWithoutTransactionsConformanceTest implements TransactionContract, CapabilityContract {

    @Override
    public StoreProvider storeProvider() {
        return new ReferenceStoreConformanceTest.ReferenceProvider(EnumSet.noneOf(Capability.class));
    }
}
