package dev.dal.migration.cli;

import static dev.dal.migration.cli.CliRuns.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dal.api.JsonValues;
import dev.dal.migration.Backends;
import dev.dal.migration.SecondNeo4j;
import dev.dal.migration.cli.CliRuns.Run;
import dev.dal.test.mongo.MongoTestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line: exit statuses, JSON output, errors without stack traces or passwords. */
class DalCliTest {
    /** Short waits for the child JVMs (the pool wait, Neo4j's transaction retries). */
    private static final List<String> MAIN_PROPERTIES =
            List.of("-DDB_CONNECTION_TIMEOUT=1", "-DNEO4J_MAX_TRANSACTION_RETRY_TIME=1");

    @TempDir
    Path dir;

    @Test
    void demoCopyVerifyExportImportAndSchemaThroughTheCommandLine() throws Exception {
        String a = "file:" + dir.resolve("a");
        String b = "file:" + dir.resolve("b");
        Run demo = run("demo", a);
        assertThat(demo.status()).as(demo.err()).isZero();
        assertThat(demo.out()).contains("#1 user      What time is it?");
        assertThat(run("health", "--json", a).out()).contains("\"status\":\"UP\"");

        Files.createDirectories(dir.resolve("b"));
        assertThat(run("verify", "--from", a, "--to", b).status())
                .as("b is empty")
                .isEqualTo(DalCli.DIFFERENT);
        Run copy = run(
                "copy",
                "--json",
                "--from",
                a,
                "--to",
                b,
                "--checkpoint-dir",
                dir.resolve("cp").toString());
        assertThat(copy.status()).as(copy.err()).isZero();
        assertThat(copy.out())
                .contains(
                        "\"written\":{\"users\":1,\"sessions\":1,\"messages\":2,\"memory\":0,\"votes\":0,\"token_usage\":0}");
        Path report = dir.resolve("report.ndjson");
        Run verify = run("verify", "--json", "--from", a, "--to", b, "--report", report.toString());
        assertThat(verify.status()).isZero();
        assertThat(verify.out()).contains("\"equal\":true");
        assertThat(Files.readAllLines(report))
                .as("an equal pair's report: the header and the counts")
                .hasSize(2)
                .last()
                .asString()
                .contains("\"end\":true", "\"equal\":true");

        Path archive = dir.resolve("a.ndjson.gz");
        assertThat(run("export", "--from", a, "--out", archive.toString()).status())
                .isZero();
        String c = "file:" + dir.resolve("c");
        assertThat(run("import", "--to", c, "--in", archive.toString()).status())
                .isZero();
        assertThat(run("verify", "--from", a, "--to", c).status()).isZero();
        // The file store's schema is its layout version: a directory without the marker holds version 1 (it
        // opened above), dal schema migrate records it, and version 1 cannot be rolled back.
        assertThat(changes(run("schema", "status", "--json", a))).containsExactly("1 pending");
        assertThat(run("schema", "migrate", a).out()).contains("applied 1 change(s)");
        assertThat(run("schema", "migrate", a).out()).contains("schema already current");
        assertThat(changes(run("schema", "status", "--json", a))).containsExactly("1 applied");
        Run rollback = run("schema", "rollback", a);
        assertThat(rollback.status()).isEqualTo(DalCli.BAD_INPUT);
        assertThat(rollback.err()).contains("cannot be rolled back").doesNotContain("\tat ");
        assertThat(run("verify", "--from", a, "--to", c).status())
                .as("a migrated store reads as before")
                .isZero();
    }

    @Test
    void verifyShowsTheFirstDifferencesListsEveryOneInTheReportAndRefusesTwoEmptyStores() throws Exception {
        String a = "file:" + dir.resolve("a");
        assertThat(run("demo", a).status()).isZero();
        Files.createDirectories(dir.resolve("empty"));
        Files.createDirectories(dir.resolve("empty-too"));
        String empty = "file:" + dir.resolve("empty");
        Path report = dir.resolve("report.ndjson");

        Run verify = run("verify", "--from", a, "--to", empty, "--max-diffs", "1", "--report", report.toString());

        assertThat(verify.status()).as(verify.err()).isEqualTo(DalCli.DIFFERENT);
        assertThat(verify.out().lines().filter(l -> l.startsWith("  missing ")))
                .as("differences shown")
                .hasSize(1);
        assertThat(verify.out()).contains("more difference(s) not shown (--max-diffs 1); all are in " + report);
        List<String> lines = Files.readAllLines(report);
        JsonNode header = JsonValues.newMapper().readTree(lines.get(0));
        JsonNode end = JsonValues.newMapper().readTree(lines.get(lines.size() - 1));
        assertThat(header.path("format").asText()).isEqualTo("dal-verify-report");
        assertThat(end.path("end").asBoolean()).isTrue();
        assertThat(end.path("equal").asBoolean()).isFalse();
        long missing = 0;
        for (JsonNode kind : end.path("counts")) {
            missing += kind.path("missing").asLong();
        }
        assertThat(missing).as("what the demo wrote").isGreaterThanOrEqualTo(4);
        assertThat(lines.subList(1, lines.size() - 1))
                .as("every difference in the report, one per line")
                .hasSize((int) missing)
                .allSatisfy(l -> assertThat(l).contains("\"type\":\"missing\""));

        Run bothEmpty = run("verify", "--from", empty, "--to", "file:" + dir.resolve("empty-too"));
        assertThat(bothEmpty.status()).isEqualTo(DalCli.DIFFERENT);
        assertThat(bothEmpty.out()).contains("Both stores are empty: nothing was compared");
        assertThat(run("verify", "--from", empty, "--to", "file:" + dir.resolve("empty-too"), "--allow-empty")
                        .status())
                .isZero();
        assertThat(run("verify", "--from", a, "--to", empty, "--max-diffs", "-1")
                        .status())
                .isEqualTo(DalCli.BAD_INPUT);
    }

    @Test
    void errorsAreShortClearAndNeverShowAPassword() throws Exception {
        Run unknown = run("health", "ftp://host/x");
        assertThat(unknown.status()).isEqualTo(DalCli.BAD_INPUT);
        assertThat(unknown.err())
                .contains("known: ")
                .contains("file:PATH")
                .contains("postgresql://")
                .doesNotContain("\tat ");

        Run down;
        System.setProperty("DB_CONNECTION_TIMEOUT", "1"); // the environment's setting; keeps the wait short
        try {
            down = run(
                    "copy",
                    "--from",
                    "postgresql://dal:s3cret@127.0.0.1:1/nowhere",
                    "--to",
                    "file:" + dir.resolve("x"),
                    "--checkpoint-dir",
                    dir.toString());
        } finally {
            System.clearProperty("DB_CONNECTION_TIMEOUT");
        }
        assertThat(down.status()).isEqualTo(DalCli.STORE_FAILED);
        assertThat(down.err())
                .as("names which of the two stores failed")
                .startsWith("dal: source store postgresql://dal:****@127.0.0.1:1/nowhere: PostgreSQL ")
                .containsPattern("PostgreSQL (cannot be reached|is unavailable|is unreachable)");
        assertThat(down.out() + down.err()).doesNotContain("s3cret").doesNotContain("\tat ");

        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "[1, 2]");
        Run tiny = run("import-tinydb", "--to", "file:" + dir.resolve("t"), bad.toString());
        assertThat(tiny.status()).isEqualTo(DalCli.BAD_INPUT);
        assertThat(tiny.err()).contains("must hold a JSON object of tables");
        assertThat(run("copy", "--from", "file:a").status()).as("missing --to").isEqualTo(2);
    }

    @Test
    void aPostgresqlMigrationAndCopyThroughMainPrintOnlyTheirResults() throws Exception {
        String pg = Backends.POSTGRES.freshStore();
        Run migrate = CliRuns.runMain(dir, MAIN_PROPERTIES, "schema", "migrate", pg);
        assertThat(migrate.status()).as(migrate.err()).isZero();
        assertThat(migrate.out()).contains("applied 11 change(s)");
        assertThat(migrate.err()).as("Liquibase's INFO chatter stays off").isEmpty();
        String file = "file:" + dir.resolve("src");
        assertThat(run("demo", file).status()).isZero();
        Run copy = CliRuns.runMain(
                dir, MAIN_PROPERTIES, "copy", "--from", file, "--to", pg, "--checkpoint-dir", dir.toString());
        assertThat(copy.status()).as(copy.err()).isZero();
        assertThat(copy.err().lines().filter(l -> !l.contains("INFO dev.dal.migration")))
                .as("only the tool's own log lines")
                .isEmpty();
    }

    @Test
    void schemaStatusMigrateAndRollbackOnMongoDb() throws Exception {
        String mongo = Backends.mongoUri(MongoTestServer.get().uri(), Backends.uniqueName());
        assertThat(changes(run("schema", "status", "--json", mongo)))
                .containsExactly(
                        "001 pending",
                        "002 pending",
                        "003 pending",
                        "004 pending",
                        "005 pending",
                        "006 pending",
                        "007 pending",
                        "008 pending");
        assertThat(run("schema", "migrate", mongo).out()).contains("applied 8 change(s)");
        assertThat(changes(run("schema", "status", "--json", mongo)))
                .containsExactly(
                        "001 applied",
                        "002 applied",
                        "003 applied",
                        "004 applied",
                        "005 applied",
                        "006 applied",
                        "007 applied",
                        "008 applied");
        Run rollback = run("schema", "rollback", mongo);
        assertThat(rollback.out()).contains("rolled back 1 change(s)").contains("pending  008");
        assertThat(changes(run("schema", "status", "--json", mongo)))
                .containsExactly(
                        "001 applied",
                        "002 applied",
                        "003 applied",
                        "004 applied",
                        "005 applied",
                        "006 applied",
                        "007 applied",
                        "008 pending");
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
            assertThat(changes(runs.get(1)))
                    .containsExactly(
                            "001 applied",
                            "002 applied",
                            "003 applied",
                            "004 applied",
                            "005 applied",
                            "006 applied",
                            "007 applied");
            runs.add(run("schema", "rollback", "--to", "001", neo4j));
            assertThat(runs.get(2).out()).contains("rolled back 6 change(s)");
            runs.add(run("schema", "status", "--json", neo4j));
            assertThat(changes(runs.get(3)))
                    .containsExactly(
                            "001 applied",
                            "002 pending",
                            "003 pending",
                            "004 pending",
                            "005 pending",
                            "006 pending",
                            "007 pending");
            runs.add(run("schema", "migrate", "--json", neo4j));
            assertThat(changes(runs.get(4)))
                    .containsExactly(
                            "002 applied", "003 applied", "004 applied", "005 applied", "006 applied", "007 applied");
            runs.add(run("schema", "rollback", "--to", "999", neo4j));
            assertThat(runs.get(5).status()).as("an unknown version").isEqualTo(DalCli.BAD_INPUT);
            assertThat(runs.get(5).err())
                    .startsWith("dal: Invalid toVersion")
                    .contains("known: [001, 002, 003, 004, 005, 006, 007]");
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
