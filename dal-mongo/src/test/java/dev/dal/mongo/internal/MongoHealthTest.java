package dev.dal.mongo.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.ServerAddress;
import com.mongodb.connection.ClusterId;
import com.mongodb.connection.ConnectionId;
import com.mongodb.connection.ServerId;
import com.mongodb.event.ConnectionCheckOutStartedEvent;
import com.mongodb.event.ConnectionCheckedInEvent;
import com.mongodb.event.ConnectionCheckedOutEvent;
import dev.dal.api.DalConfig;
import dev.dal.api.HealthStatus;
import dev.dal.test.mongo.MongoTestServer;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Health reads the pool through the driver's pool events: a pool whose every connection is checked
 * out answers DEGRADED (the server still answers the probe, on its own client), and UP again once
 * connections come back. The events are fed by hand here: no test server holds a connection busy
 * on purpose while still answering.
 */
class MongoHealthTest {

    @Test
    void aSaturatedPoolIsDegradedWithItsUtilization() {
        Map<String, String> settings = new HashMap<>(MongoTestServer.get().settingsForDatabase("dal_health"));
        settings.put("DB_MAX_CONNECTIONS", "3");
        try (MongoStore store = (MongoStore) MongoStores.open(DalConfig.fromMap(settings))) {
            HealthStatus idle = store.healthCheck();
            assertThat(idle.status()).isEqualTo(HealthStatus.Status.UP);
            assertThat(idle.details()).containsEntry("poolMax", 3).containsKey("poolUtilizationPercent");

            MongoConnection.PoolFigures pool = store.connection().pool();
            ServerId server = new ServerId(new ClusterId(), new ServerAddress("127.0.0.1", 1));
            ConnectionId[] held = new ConnectionId[3];
            for (int i = 0; i < held.length; i++) {
                held[i] = new ConnectionId(server);
                pool.connectionCheckOutStarted(new ConnectionCheckOutStartedEvent(server, i));
                pool.connectionCheckedOut(new ConnectionCheckedOutEvent(held[i], i, 0));
            }
            HealthStatus saturated = store.healthCheck();
            assertThat(saturated.status()).isEqualTo(HealthStatus.Status.DEGRADED);
            assertThat(saturated.details())
                    .containsEntry("poolUtilizationPercent", 100)
                    .containsEntry("poolInUse", 3);
            assertThat(saturated.error()).contains("DB_MAX_CONNECTIONS");

            pool.connectionCheckedIn(new ConnectionCheckedInEvent(held[0], 9));
            HealthStatus relieved = store.healthCheck();
            assertThat(relieved.status()).isEqualTo(HealthStatus.Status.UP);
            assertThat(relieved.details()).containsEntry("poolUtilizationPercent", 66);
            for (int i = 1; i < held.length; i++) {
                pool.connectionCheckedIn(new ConnectionCheckedInEvent(held[i], 9));
            }
        }
        MongoTestServer.get().drop("dal_health");
    }
}
