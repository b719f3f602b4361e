package dev.dal.testkit;

import dev.dal.api.Capability;
import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessFactory;
import dev.dal.api.spi.DataAccessProvider;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/** Runs the whole kit against the reference store, so the kit itself is known to be passable. */
class ReferenceStoreConformanceTest implements DataAccessConformance {

    @Override
    public StoreProvider storeProvider() {
        return new ReferenceProvider(EnumSet.of(
                Capability.TRANSACTIONS,
                Capability.MULTI_PROCESS,
                Capability.FULL_TEXT_SEARCH,
                Capability.MESSAGE_VOTES,
                Capability.TOKEN_USAGE));
    }

    /** Opens reference stores through the factory, as applications get them. */
    static final class ReferenceProvider implements StoreProvider {
        private final Set<Capability> capabilities;
        private final PlantedBug bug;
        private ReferenceStore.State last;

        ReferenceProvider(Set<Capability> capabilities) {
            this(capabilities, null);
        }

        ReferenceProvider(Set<Capability> capabilities, PlantedBug bug) {
            this.capabilities = capabilities;
            this.bug = bug;
        }

        private DataAccess open(ReferenceStore.State state, Clock clock) {
            return open(state, DalConfig.builder().clock(clock).build());
        }

        private DataAccess open(ReferenceStore.State state, DalConfig config) {
            DataAccessProvider provider = new DataAccessProvider() {
                @Override
                public String name() {
                    return "reference";
                }

                @Override
                public DataAccess create(DalConfig config) {
                    return new ReferenceStore(state, config.clock(), capabilities, config.queryTimeout(), bug);
                }
            };
            return DataAccessFactory.create(config, provider);
        }

        @Override
        public DataAccess openEmpty(Clock clock, Map<String, String> settings, InetSocketAddress via) {
            last = new ReferenceStore.State();
            return open(
                    last, DalConfig.builder().settings(settings).clock(clock).build());
        }

        @Override
        public DataAccess openEmpty(Clock clock) {
            last = new ReferenceStore.State();
            return open(last, clock);
        }

        @Override
        public DataAccess reopen(Clock clock) {
            return open(last, clock);
        }
    }
}
