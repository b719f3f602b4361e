package dev.dal.migration.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dal.api.DataAccess;
import dev.dal.api.HealthStatus;
import dev.dal.migration.StoreUri;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** Reports a store's health; exit status 1 when it is down. */
@Command(name = "health", description = "Check a store; exit status 1 when it is not up.")
final class HealthCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Parameters(arity = "0..1", paramLabel = "STORE", description = "Store URI; default: the environment's store.")
    String store;

    @Override
    public Integer call() {
        StoreUri uri = CommonOptions.store(store);
        try (DataAccess dal = CommonOptions.open(uri)) {
            HealthStatus health = dal.healthCheck();
            ObjectNode result = JsonNodeFactory.instance.objectNode().put("store", uri.redacted())
                    .put("status", health.status().name()).put("storageType", health.storageType())
                    .put("latencyMicros", health.latency().toNanos() / 1000);
            if (health.error() != null) {
                result.put("error", health.error());
            }
            common.print(result, uri + ": " + health.status() + " (" + health.storageType() + ", "
                    + health.latency().toNanos() / 1000 + " µs)" + (health.error() == null ? "" : ": " + health.error()));
            return health.status() == HealthStatus.Status.UP ? DalCli.OK : DalCli.DIFFERENT;
        }
    }
}
