package dev.dal.migration.cli;

import static dev.dal.migration.cli.CliRuns.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dal.api.JsonValues;
import dev.dal.migration.Backends;
import dev.dal.migration.cli.CliRuns.Run;
import dev.dal.test.mongo.MongoTestServer;
import dev.dal.test.postgres.PostgresTestServer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line under faults and on stores it must not change: a refused port answers within
 * the health bound, read-only commands never migrate, targets migrate only when empty or asked,
 * and a missing {@code file:} source is an error.
 */
class DalCliFaultsTest {
    /**
     * {@code --connect-timeout 1 --health-timeout 2}: health answers within 3 s. The health timeout is
     * the longer one so that a backend that gives up on a refused port within DB_CONNECT_TIMEOUT
     * shows its own reason, not the deadline's.
     */
    private static final long BOUND_MILLIS = 3000;
    /** Room for the timer thread to be scheduled and the answer printed on a busy machine. */
    private static final long SLACK_MILLIS = 1000;

    @TempDir
    Path dir;

    /**
     * Through {@code main} in a JVM of its own, as {@code ./dal} runs it, with no other setting
     * shortened (the pool wait stays 30 s): health on a refused port is DOWN, exit status 1, within
     * DB_CONNECT_TIMEOUT + DAL_HEALTH_TIMEOUT, says the store cannot be reached (not "schema
     * migrate"), one line, no password.
     */
    @Test
    void healthOnARefusedPortIsDownWithinTheBoundOnEveryNetworkedBackend() throws Exception {
        int port = refusedPort();
        for (String uri : List.of(
                "postgresql://dal:s3cret@127.0.0.1:" + port + "/nowhere",
                "mongodb://dal:s3cret@127.0.0.1:" + port + "/chat",
                "neo4j://neo4j:s3cret@127.0.0.1:" + port)) {
            Run r = CliRuns.runMain(
                    dir, List.of(), "health", "--json", "--connect-timeout", "1", "--health-timeout", "2", uri);
            assertDownWithinTheBound(uri, r);
        }
    }

    /** The same bound taken from the environment's settings (system properties here) instead of flags. */
    @Test
    void healthTakesItsBoundFromTheEnvironment() throws Exception {
        String uri = "postgresql://dal:s3cret@127.0.0.1:" + refusedPort() + "/nowhere";
        Run r = CliRuns.runMain(
                dir, List.of("-DDB_CONNECT_TIMEOUT=1", "-DDAL_HEALTH_TIMEOUT=2"), "health", "--json", uri);
        assertDownWithinTheBound(uri, r);
        Run text = CliRuns.runMain(dir, List.of("-DDB_CONNECT_TIMEOUT=1", "-DDAL_HEALTH_TIMEOUT=2"), "health", uri);
        assertThat(text.status()).isEqualTo(DalCli.DIFFERENT);
        assertThat(text.out())
                .as("the line a person reads")
                .startsWith("postgresql://dal:****@127.0.0.1:")
                .contains(": DOWN, not reachable (postgresql, ")
                .doesNotContainIgnoringCase("migrat")
                .doesNotContain("s3cret");
    }

    private static void assertDownWithinTheBound(String uri, Run r) throws Exception {
        assertThat(r.status()).as(uri + ": " + r.out() + r.err()).isEqualTo(DalCli.DIFFERENT);
        JsonNode result = JsonValues.newMapper().readTree(r.out());
        assertThat(result.get("status").asText()).as(uri).isEqualTo("DOWN");
        assertThat(result.get("reachable").asBoolean()).as(uri).isFalse();
        assertThat(result.get("elapsedMillis").asLong())
                .as(uri + " answered within the bound")
                .isLessThanOrEqualTo(BOUND_MILLIS + SLACK_MILLIS);
        // The store's own reason (refused, unreachable, unavailable), or a deadline's when it had none
        // by then: DAL_HEALTH_TIMEOUT's in dal-api, or the command's own bound.
        assertThat(result.get("error").asText())
                .as(uri)
                .containsPattern("(?i)unreachable|unavailable|refused|no answer within")
                .doesNotContainIgnoringCase("migrat");
        assertThat(r.out() + r.err()).as(uri).doesNotContain("s3cret").doesNotContain("\tat ");
        assertThat(r.millis())
                .as(uri + ": the whole process, JVM start included, ends promptly")
                .isLessThan(20_000);
    }

    @Test
    void healthVerifyExportAndACopysSourceLeaveAnUnmigratedPostgresqlDatabaseUnmigrated() throws Exception {
        Map<String, String> settings = PostgresTestServer.get().settingsForDatabase(Backends.uniqueName());
        String pg = Backends.postgresUri(settings);
        String file = "file:" + dir.resolve("a");
        assertThat(run("demo", file).status()).isZero();

        Run health = run("health", "--json", pg);
        assertThat(health.status()).as(health.out() + health.err()).isIn(DalCli.OK, DalCli.BAD_INPUT);
        assertUnmigrated(settings, "health");

        Run verifyInto = run("verify", "--from", file, "--to", pg);
        assertThat(verifyInto.status()).as(verifyInto.err()).isEqualTo(DalCli.BAD_INPUT);
        assertThat(verifyInto.err())
                .contains("The target store " + pg + " has no Dal schema")
                .contains("`dal schema migrate " + pg + "`")
                .doesNotContain("\tat ");
        assertUnmigrated(settings, "verify --to");

        Run verifyFrom = run("verify", "--from", pg, "--to", file);
        assertThat(verifyFrom.status()).as(verifyFrom.err()).isEqualTo(DalCli.BAD_INPUT);
        assertThat(verifyFrom.err()).contains("The source store " + pg + " has no Dal schema");
        assertUnmigrated(settings, "verify --from");

        Path archive = dir.resolve("pg.ndjson");
        Run export = run("export", "--from", pg, "--out", archive.toString());
        assertThat(export.status()).as(export.err()).isEqualTo(DalCli.BAD_INPUT);
        assertThat(archive).doesNotExist();
        assertUnmigrated(settings, "export");

        Run copy = run(
                "copy",
                "--from",
                pg,
                "--to",
                "file:" + dir.resolve("b"),
                "--checkpoint-dir",
                dir.resolve("cp").toString());
        assertThat(copy.status()).as(copy.err()).isEqualTo(DalCli.BAD_INPUT);
        assertThat(copy.err()).contains("dal copy never changes the schema of a store it reads");
        assertUnmigrated(settings, "copy --from");
    }

    @Test
    void aCopyIntoAnEmptyPostgresqlDatabaseMigratesIt() throws Exception {
        Map<String, String> settings = PostgresTestServer.get().settingsForDatabase(Backends.uniqueName());
        String pg = Backends.postgresUri(settings);
        String file = "file:" + dir.resolve("a");
        assertThat(run("demo", file).status()).isZero();
        assertThat(changelogRows(settings)).as("no schema before").isEqualTo(-1);

        Run copy = run(
                "copy",
                "--json",
                "--from",
                file,
                "--to",
                pg,
                "--checkpoint-dir",
                dir.resolve("cp").toString());
        assertThat(copy.status()).as(copy.err()).isZero();
        assertThat(copy.out())
                .contains(
                        "\"written\":{\"users\":1,\"sessions\":1,\"messages\":2,\"memory\":0,\"votes\":0,\"token_usage\":0}");
        assertThat(copy.err()).contains("Schema of " + pg + ": applied 11 change(s)");
        assertThat(changelogRows(settings)).isEqualTo(11);
        assertThat(run("verify", "--from", file, "--to", pg).status()).isZero();
    }

    @Test
    void aTargetWithAnOlderSchemaIsRefusedWithoutMigrateAndMigratedWithIt() throws Exception {
        Map<String, String> settings = PostgresTestServer.get().settingsForDatabase(Backends.uniqueName());
        String pg = Backends.postgresUri(settings);
        assertThat(run("schema", "migrate", pg).status()).isZero();
        Run rollback = run("schema", "rollback", pg);
        assertThat(rollback.out()).as(rollback.err()).contains("rolled back 1 change(s)");
        assertThat(changelogRows(settings)).isEqualTo(10);
        String file = "file:" + dir.resolve("a");
        assertThat(run("demo", file).status()).isZero();
        Path archive = dir.resolve("a.ndjson");
        assertThat(run("export", "--from", file, "--out", archive.toString()).status())
                .isZero();

        Run copy = run(
                "copy",
                "--from",
                file,
                "--to",
                pg,
                "--checkpoint-dir",
                dir.resolve("cp").toString());
        assertThat(copy.status()).as(copy.err()).isEqualTo(DalCli.BAD_INPUT);
        assertThat(copy.err())
                .contains("The target store " + pg + " has an older Dal schema")
                .contains("--migrate")
                .contains("`dal schema migrate " + pg + "`")
                .doesNotContain("\tat ");
        Run importing = run("import", "--to", pg, "--in", archive.toString());
        assertThat(importing.status()).as(importing.err()).isEqualTo(DalCli.BAD_INPUT);
        assertThat(importing.err()).contains("--migrate");
        Path bad = dir.resolve("bad.ndjson");
        Files.writeString(bad, Files.readString(archive).replace("What time is it?", "What time is it!"));
        Map<String, String> empty = PostgresTestServer.get().settingsForDatabase(Backends.uniqueName());
        Run badImport = run("import", "--to", Backends.postgresUri(empty), "--in", bad.toString());
        assertThat(badImport.status()).as(badImport.err()).isEqualTo(DalCli.BAD_INPUT);
        assertThat(badImport.err()).contains("checksum");
        assertThat(changelogRows(empty))
                .as("a bad archive does not set up an empty target")
                .isEqualTo(-1);
        Run repair = run("repair", "--from", file, "--to", pg);
        assertThat(repair.status()).as(repair.err()).isEqualTo(DalCli.BAD_INPUT);
        assertThat(changelogRows(settings)).as("still the older schema").isEqualTo(10);

        Run migrated = run(
                "copy",
                "--migrate",
                "--from",
                file,
                "--to",
                pg,
                "--checkpoint-dir",
                dir.resolve("cp").toString());
        assertThat(migrated.status()).as(migrated.err()).isZero();
        assertThat(changelogRows(settings)).isEqualTo(11);
        assertThat(run("verify", "--from", file, "--to", pg).status()).isZero();
    }

    /** MongoDB refuses an old schema at open when DB_AUTO_MIGRATE is off: read-only commands say so. */
    @Test
    void readOnlyCommandsLeaveAnUnmigratedMongoDbDatabaseUnmigrated() throws Exception {
        String mongo = Backends.mongoUri(MongoTestServer.get().uri(), Backends.uniqueName());
        Run health = run("health", mongo);
        assertThat(health.status()).as(health.out() + health.err()).isEqualTo(DalCli.BAD_INPUT);
        assertThat(health.err())
                .contains("not current")
                .contains("dal schema migrate")
                .contains("dal health never changes a schema");
        Run export =
                run("export", "--from", mongo, "--out", dir.resolve("m.ndjson").toString());
        assertThat(export.status()).as(export.err()).isEqualTo(DalCli.BAD_INPUT);
        assertThat(export.err()).contains("has no Dal schema");
        Run status = run("schema", "status", "--json", mongo);
        assertThat(status.status()).isZero();
        assertThat(status.out()).doesNotContain("\"applied\":true");
    }

    @Test
    void aFileSourceThatDoesNotExistIsAnErrorNeverAnEmptyCopy() throws Exception {
        assertThat(Path.of("/no/such/dir")).as("precondition").doesNotExist();
        Path target = dir.resolve("target");
        Run copy = run(
                "copy",
                "--from",
                "file:/no/such/dir",
                "--to",
                "file:" + target,
                "--checkpoint-dir",
                dir.resolve("cp").toString());
        assertThat(copy.status()).as(copy.out() + copy.err()).isEqualTo(DalCli.BAD_INPUT);
        assertThat(copy.err())
                .contains("/no/such/dir")
                .contains("does not exist")
                .doesNotContain("\tat ");
        assertThat(copy.out()).doesNotContain("Copied");
        assertThat(target).as("nothing was opened for writing").doesNotExist();

        Path missing = dir.resolve("missing");
        String existing = "file:" + dir.resolve("a");
        assertThat(run("demo", existing).status()).isZero();
        Run verify = run("verify", "--from", "file:" + missing, "--to", existing);
        assertThat(verify.status()).as(verify.err()).isEqualTo(DalCli.BAD_INPUT);
        assertThat(verify.err()).contains(missing.toString());
        Run export = run(
                "export",
                "--from",
                "file:" + missing,
                "--out",
                dir.resolve("x.ndjson").toString());
        assertThat(export.status()).as(export.err()).isEqualTo(DalCli.BAD_INPUT);
        assertThat(dir.resolve("x.ndjson")).doesNotExist();
        Run health = run("health", "file:" + missing);
        assertThat(health.status()).as(health.err()).isEqualTo(DalCli.BAD_INPUT);
        assertThat(missing).as("no command created it").doesNotExist();
    }

    private static void assertUnmigrated(Map<String, String> settings, String after) throws Exception {
        assertThat(changelogRows(settings))
                .as("databasechangelog after " + after)
                .isEqualTo(-1);
        assertThat(hasTable(settings, "users")).as("users table after " + after).isFalse();
    }

    /** @return the rows of databasechangelog, or -1 when the table does not exist */
    private static int changelogRows(Map<String, String> settings) throws Exception {
        if (!hasTable(settings, "databasechangelog")) {
            return -1;
        }
        try (Connection c = connect(settings);
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT count(*) FROM databasechangelog")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static boolean hasTable(Map<String, String> settings, String table) throws Exception {
        try (Connection c = connect(settings);
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT to_regclass('" + table + "') IS NOT NULL")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    private static Connection connect(Map<String, String> settings) throws Exception {
        return DriverManager.getConnection(
                settings.get("DATABASE_URL"), settings.getOrDefault("DB_USER", "postgres"), null);
    }

    /** @return a loopback port nothing listens on (bound, then released), so a connection is refused */
    private static int refusedPort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
