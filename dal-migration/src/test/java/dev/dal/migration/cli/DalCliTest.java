package dev.dal.migration.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dal.api.JsonValues;
import dev.dal.migration.Backends;
import dev.dal.migration.SecondNeo4j;
import dev.dal.mongo.MongoTestServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line: exit statuses, JSON output, errors without stack traces or passwords. */
class DalCliTest {
    @TempDir
    Path dir;

    private record Run(int status, String out, String err) {
    }

    private static synchronized Run run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int status = DalCli.run(args);
            return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void demoCopyVerifyExportImportAndSchemaThroughTheCommandLine() {
        String a = "file:" + dir.resolve("a");
        String b = "file:" + dir.resolve("b");
        Run demo = run("demo", a);
        assertThat(demo.status()).as(demo.err()).isZero();
        assertThat(demo.out()).contains("#1 user      What time is it?");
        assertThat(run("health", "--json", a).out()).contains("\"status\":\"UP\"");

        assertThat(run("verify", "--from", a, "--to", b).status()).as("b is empty").isEqualTo(DalCli.DIFFERENT);
        Run copy = run("copy", "--json", "--from", a, "--to", b, "--checkpoint-dir", dir.resolve("cp").toString());
        assertThat(copy.status()).as(copy.err()).isZero();
        assertThat(copy.out()).contains("\"written\":{\"users\":1,\"sessions\":1,\"messages\":2,\"memory\":0}");
        Path report = dir.resolve("report.json");
        Run verify = run("verify", "--json", "--from", a, "--to", b, "--report", report.toString());
        assertThat(verify.status()).isZero();
        assertThat(verify.out()).contains("\"equal\":true");
        assertThat(report).content().contains("\"differences\":[");

        Path archive = dir.resolve("a.ndjson.gz");
        assertThat(run("export", "--from", a, "--out", archive.toString()).status()).isZero();
        String c = "file:" + dir.resolve("c");
        assertThat(run("import", "--to", c, "--in", archive.toString()).status()).isZero();
        assertThat(run("verify", "--from", a, "--to", c).status()).isZero();
        Run schema = run("schema", "status", "--json", a);
        assertThat(schema.status()).isZero();
        assertThat(schema.out()).contains("\"changes\":[]");
    }

    @Test
    void errorsAreShortClearAndNeverShowAPassword() throws Exception {
        Run unknown = run("health", "ftp://host/x");
        assertThat(unknown.status()).isEqualTo(DalCli.BAD_INPUT);
        assertThat(unknown.err()).contains("known: file:PATH, postgresql://").doesNotContain("\tat ");

        Run down;
        System.setProperty("DB_CONNECTION_TIMEOUT", "1"); // the environment's setting; keeps the wait short
        try {
            down = run("copy", "--from", "postgresql://dal:s3cret@127.0.0.1:1/nowhere", "--to",
                    "file:" + dir.resolve("x"), "--checkpoint-dir", dir.toString());
        } finally {
            System.clearProperty("DB_CONNECTION_TIMEOUT");
        }
        assertThat(down.status()).isEqualTo(DalCli.STORE_FAILED);
        assertThat(down.err()).containsPattern("(?m)^dal: PostgreSQL is unavailable");
        assertThat(down.out() + down.err()).doesNotContain("s3cret").doesNotContain("\tat ");

        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "[1, 2]");
        Run tiny = run("import-tinydb", "--to", "file:" + dir.resolve("t"), bad.toString());
        assertThat(tiny.status()).isEqualTo(DalCli.BAD_INPUT);
        assertThat(tiny.err()).contains("must hold a JSON object of tables");
        assertThat(run("copy", "--from", "file:a").status()).as("missing --to").isEqualTo(2);
    }

    /**
     * Through {@code main} in a JVM of its own, as {@code ./dal} runs it: the drivers' own logging
     * (retries, routing failures, with stack traces) stays quiet, the one line says what failed.
     */
    @Test
    void unreachableMongoDbAndNeo4jAreOneLineWithoutThePassword() throws Exception {
        for (String uri : List.of("mongodb://dal:s3cret@127.0.0.1:1/chat", "neo4j://neo4j:s3cret@127.0.0.1:1")) {
            Run r = runMain("health", uri);
            assertThat(r.status()).as(r.err()).isEqualTo(DalCli.STORE_FAILED);
            assertThat(r.err()).as(uri).matches("dal: (MongoDB is unreachable |Could not open the Neo4j store at neo4j://127\\.0\\.0\\.1:1: unavailable)"
                    + "[^\\n]*\\n")
                    .doesNotContain("s3cret");
        }
    }

    @Test
    void aPostgresqlMigrationAndCopyThroughMainPrintOnlyTheirResults() throws Exception {
        String pg = Backends.POSTGRES.freshStore();
        Run migrate = runMain("schema", "migrate", pg);
        assertThat(migrate.status()).as(migrate.err()).isZero();
        assertThat(migrate.out()).contains("applied 4 change(s)");
        assertThat(migrate.err()).as("Liquibase's INFO chatter stays off").isEmpty();
        String file = "file:" + dir.resolve("src");
        assertThat(run("demo", file).status()).isZero();
        Run copy = runMain("copy", "--from", file, "--to", pg, "--checkpoint-dir", dir.toString());
        assertThat(copy.status()).as(copy.err()).isZero();
        assertThat(copy.err().lines().filter(l -> !l.contains("INFO dev.dal.migration"))).as("only the tool's own log lines")
                .isEmpty();
    }

    /**
     * Runs {@code main} in a JVM of its own, as {@code ./dal} does: its logging set-up applies (the
     * drivers' retries and stack traces stay quiet), and no in-process test server shares its stderr.
     */
    private Run runMain(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(javaBinary(), "-XX:TieredStopAtLevel=1",
                "-DDB_CONNECTION_TIMEOUT=1", "-DNEO4J_MAX_TRANSACTION_RETRY_TIME=1", "-cp",
                System.getProperty("java.class.path"), DalCli.class.getName()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process child = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(child.waitFor(120, TimeUnit.SECONDS)).as("exits").isTrue();
        return new Run(child.exitValue(), Files.readString(out), Files.readString(err));
    }

    private static String javaBinary() {
        return ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString());
    }

    @Test
    void schemaStatusMigrateAndRollbackOnMongoDb() throws Exception {
        String mongo = Backends.mongoUri(MongoTestServer.get().uri(), Backends.uniqueName());
        assertThat(changes(run("schema", "status", "--json", mongo))).containsExactly("001 pending", "002 pending");
        assertThat(run("schema", "migrate", mongo).out()).contains("applied 2 change(s)");
        assertThat(changes(run("schema", "status", "--json", mongo))).containsExactly("001 applied", "002 applied");
        Run rollback = run("schema", "rollback", mongo);
        assertThat(rollback.out()).contains("rolled back 1 change(s)").contains("pending  002");
        assertThat(changes(run("schema", "status", "--json", mongo))).containsExactly("001 applied", "002 pending");
        assertThat(run("schema", "migrate", mongo).out()).contains("applied 1 change(s)");
        assertThat(run("schema", "migrate", mongo).out()).contains("schema already current");
        assertThat(run("health", "--json", mongo).out()).contains("\"status\":\"UP\"");
    }

    @Test
    void schemaRollbackToAVersionAndMigrateOnNeo4jWithThePasswordFromTheEnvironment() throws Exception {
        String neo4j = "bolt://neo4j@" + SecondNeo4j.get().hostAndPort();
        System.setProperty("NEO4J_PASSWORD", SecondNeo4j.PASSWORD);
        List<Run> runs = new ArrayList<>();
        try {
            runs.add(run("schema", "migrate", neo4j));
            assertThat(runs.get(0).status()).as(runs.get(0).err()).isZero();
            runs.add(run("schema", "status", "--json", neo4j));
            assertThat(changes(runs.get(1))).containsExactly("001 applied", "002 applied", "003 applied");
            runs.add(run("schema", "rollback", "--to", "001", neo4j));
            assertThat(runs.get(2).out()).contains("rolled back 2 change(s)");
            runs.add(run("schema", "status", "--json", neo4j));
            assertThat(changes(runs.get(3))).containsExactly("001 applied", "002 pending", "003 pending");
            runs.add(run("schema", "migrate", "--json", neo4j));
            assertThat(changes(runs.get(4))).containsExactly("002 applied", "003 applied");
            runs.add(run("schema", "rollback", "--to", "999", neo4j));
            assertThat(runs.get(5).status()).as("an unknown version").isEqualTo(DalCli.BAD_INPUT);
            assertThat(runs.get(5).err()).startsWith("dal: Invalid toVersion").contains("known: [001, 002, 003]");
        } finally {
            System.clearProperty("NEO4J_PASSWORD");
        }
        // (The in-process server's own log lines share this JVM's stderr, so only the password is checked here.)
        for (Run r : runs) {
            assertThat(r.out() + r.err()).doesNotContain(SecondNeo4j.PASSWORD);
        }
    }

    /** @return each change of a {@code schema --json} run as "version applied|pending" */
    private static List<String> changes(Run run) throws Exception {
        assertThat(run.status()).as(run.err()).isZero();
        JsonNode result = JsonValues.newMapper().readTree(run.out());
        List<String> changes = new ArrayList<>();
        for (JsonNode c : result.get("changes")) {
            changes.add(c.get("version").asText() + (c.get("applied").asBoolean() ? " applied" : " pending"));
        }
        return changes;
    }
}
