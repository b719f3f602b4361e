package dev.dal.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessFactory;
import dev.dal.api.HealthStatus;
import dev.dal.api.NewUser;
import dev.dal.api.User;
import dev.dal.test.postgres.PostgresTestServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * With DB_READ_HOSTS naming a replica that does not answer, reads outside transactions go to the primary and health
 * is DEGRADED naming the replica (a real standby's routing, lag and failover: {@link PostgresStandbyTest}).
 */
class PostgresReadRoutingTest {
    @Test
    void aReplicaThatIsDownSendsReadsToThePrimaryAndHealthSaysSo() throws Exception {
        Map<String, String> settings = new HashMap<>(PostgresTestServer.get().settings());
        String replica = "127.0.0.1:" + unusedPort();
        settings.put("DB_READ_HOSTS", replica);
        settings.put("DB_CONNECTION_TIMEOUT", "1");
        try (DataAccess store = DataAccessFactory.create(DalConfig.fromMap(settings), new PostgresStoreProvider())) {
            User user = store.createUser(NewUser.withExternalId("read-routing-" + System.nanoTime()));

            assertThat(store.getUser(user.id())).contains(user);
            Optional<User> inTransaction = store.inTransaction(tx -> tx.getUser(user.id()));
            assertThat(inTransaction).contains(user);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            HealthStatus health = store.healthCheck();
            while (health.status() != HealthStatus.Status.DEGRADED && System.nanoTime() < deadline) {
                Thread.sleep(50);
                health = store.healthCheck();
            }
            assertThat(health.status()).isEqualTo(HealthStatus.Status.DEGRADED);
            assertThat(health.error()).contains("Replica " + replica + " is down; reads go to the primary");
            assertThat(health.details()).containsKeys("poolMax", "readPoolMax", "primaryHost", "replicas");
            assertThat(store.getUser(user.id())).contains(user);
        }
    }

    private static int unusedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
