package dev.dal.testkit;

import dev.dal.api.Capability;
import java.util.EnumSet;

/**
 * The whole kit against the reference store with {@link #bug} planted. Not named like a test, so
 * Surefire does not run it by itself; {@link PlantedBugsTest} launches it once per bug.
 */
class PlantedStoreKit implements DataAccessConformance {

    /** The bug the next launch plants; set by {@link PlantedBugsTest} before each launch. */
    static volatile PlantedBug bug;

    @Override
    public StoreProvider storeProvider() {
        return new ReferenceStoreConformanceTest.ReferenceProvider(
                EnumSet.of(
                        Capability.TRANSACTIONS,
                        Capability.MULTI_PROCESS,
                        Capability.FULL_TEXT_SEARCH,
                        Capability.MESSAGE_VOTES,
                        Capability.TOKEN_USAGE),
                bug);
    }
}
