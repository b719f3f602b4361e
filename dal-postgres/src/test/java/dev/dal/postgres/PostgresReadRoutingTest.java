package dev.dal.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessFactory;
import dev.dal.api.NewUser;
import dev.dal.api.UnavailableException;
import dev.dal.api.User;
import dev.dal.test.postgres.PostgresTestServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** With DB_READ_HOSTS, reads outside transactions use the replica pool; writes and transactions stay on the primary. */
class PostgresReadRoutingTest {
    @Test
    void readsGoToTheReplicasWhileWritesAndTransactionsUseThePrimary() throws IOException {
        Map<String, String> settings = new HashMap<>(PostgresTestServer.get().settings());
        // A replica that does not answer shows where each call goes.
        settings.put("DB_READ_HOSTS", "127.0.0.1:" + unusedPort());
        settings.put("DB_CONNECTION_TIMEOUT", "1");
        try (DataAccess store = DataAccessFactory.create(DalConfig.fromMap(settings), new PostgresStoreProvider())) {
            User user = store.createUser(NewUser.withExternalId("read-routing-" + System.nanoTime()));

            assertThatThrownBy(() -> store.getUser(user.id())).isInstanceOf(UnavailableException.class);
            Optional<User> inTransaction = store.inTransaction(tx -> tx.getUser(user.id()));
            assertThat(inTransaction).contains(user);
            assertThat(store.healthCheck().details()).containsKeys("poolMax", "readPoolMax");
        }
    }

    private static int unusedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
