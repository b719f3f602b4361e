package dev.dal.migration.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
}
