package dev.dal.dualwrite.internal;

import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.spi.DualWriteComposer;
import dev.dal.api.spi.Setting;
import dev.dal.dualwrite.DualWriteDataAccess;
import dev.dal.dualwrite.DualWriteSettings;
import java.util.List;

/** The {@link DualWriteComposer} the factory finds: a {@link DualWriteDataAccess} with the configured settings. */
public final class DecoratorComposer implements DualWriteComposer {

    /** Called by {@link java.util.ServiceLoader}. */
    public DecoratorComposer() {}

    @Override
    public List<Setting<?>> settings() {
        return DualWriteSettings.DECLARED;
    }

    @Override
    public void checkSettings(DalConfig config) {
        DualWriteSettings.from(config);
    }

    @Override
    public DataAccess compose(
            DalConfig config, String primaryType, DataAccess primary, String secondaryType, DataAccess secondary) {
        return new DualWriteDataAccess(
                primaryType, primary, secondaryType, secondary, DualWriteSettings.from(config), config.clock());
    }
}
