package dev.dal.migration.cli;

import static dev.dal.migration.cli.CliRuns.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessFactory;
import dev.dal.api.JsonValues;
import dev.dal.api.User;
import dev.dal.api.UserStatus;
import dev.dal.api.spi.Ids;
import dev.dal.migration.StoreUri;
import dev.dal.migration.cli.CliRuns.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dal verify --since}: only records changed since the instant are checked and named, the summary and the
 * JSON say the instant, nothing changed since it is "nothing compared", and a bad instant is refused.
 */
class VerifySinceCliTest {
    private static final String SINCE = "2026-12-01T10:00:00Z";

    @TempDir
    Path dir;

    private String a;
    private String b;
    private User changedSince;
    private User olderGone;

    @BeforeEach
    void twoStoresOneNewAndOneOldUserMissingFromTheSecond() {
        a = "file:" + dir.resolve("a");
        b = "file:" + dir.resolve("b");
        Instant since = Instant.parse(SINCE);
        User kept = user("kept", since.minus(Duration.ofDays(2)));
        changedSince = user("changed-since", since.plusSeconds(1));
        olderGone = user("older-gone", since.minusMillis(1));
        try (DataAccess source = open(a);
                DataAccess target = open(b)) {
            source.bulk().upsertUsers(List.of(kept, changedSince, olderGone));
            target.bulk().upsertUsers(List.of(kept));
        }
    }

    @Test
    void namesOnlyWhatChangedSinceAndSaysTheInstant() throws Exception {
        Run verify = run("verify", "--since", SINCE, "--from", a, "--to", b);

        assertThat(verify.status()).as(verify.err()).isEqualTo(DalCli.DIFFERENT);
        assertThat(verify.out())
                .contains("  missing users " + changedSince.id())
                .doesNotContain(olderGone.id().toString())
                .contains("DIFFERENT: " + a + " vs " + b + ", records changed since " + SINCE)
                .containsPattern("users +source 1 +target 0 +matching 0 +missing 1");

        Path report = dir.resolve("report.ndjson");
        Run json = run("verify", "--json", "--since", SINCE, "--from", a, "--to", b, "--report", report.toString());
        assertThat(JsonValues.newMapper()
                        .readTree(Files.readAllLines(report).get(0))
                        .path("since")
                        .asText())
                .isEqualTo(SINCE);
        JsonNode out = JsonValues.newMapper().readTree(json.out());
        assertThat(out.path("since").asText()).isEqualTo(SINCE);
        assertThat(out.path("counts").path("users").path("source").asLong()).isEqualTo(1);
        assertThat(out.path("differences")).hasSize(1);
        assertThat(out.path("empty").asBoolean()).isFalse();

        Run all = run("verify", "--json", "--from", a, "--to", b);
        JsonNode whole = JsonValues.newMapper().readTree(all.out());
        assertThat(whole.has("since")).isFalse();
        assertThat(whole.path("differences"))
                .as("without --since the older one too")
                .hasSize(2);
    }

    @Test
    void nothingChangedSinceIsNothingComparedUnlessAllowEmpty() {
        String later = "2027-01-01T00:00:00Z";

        Run verify = run("verify", "--since", later, "--from", a, "--to", b);

        assertThat(verify.status()).isEqualTo(DalCli.DIFFERENT);
        assertThat(verify.out())
                .contains("NOTHING COMPARED: ")
                .contains("No record changed since " + later + " in either store: nothing was compared");
        assertThat(run("verify", "--since", later, "--from", a, "--to", b, "--allow-empty")
                        .status())
                .isZero();
    }

    @Test
    void anInstantThatIsNotIso8601IsRefusedNamingTheOption() {
        for (String bad : List.of("yesterday", "2026-12-01", "2026-12-01T10:00:00", "")) {
            Run verify = run("verify", "--since", bad, "--from", a, "--to", b);

            assertThat(verify.status()).as(bad).isEqualTo(DalCli.BAD_INPUT);
            assertThat(verify.err())
                    .as(bad)
                    .contains("--since")
                    .contains("ISO-8601")
                    .doesNotContain("\tat ");
        }
    }

    private static DataAccess open(String uri) {
        return DataAccessFactory.create(StoreUri.parse(uri, Map.of()).config());
    }

    private static User user(String name, Instant updatedAt) {
        return new User(
                Ids.newId(),
                "ext-" + name,
                name + "@example.org",
                name,
                JsonNodeFactory.instance.objectNode(),
                JsonNodeFactory.instance.objectNode(),
                UserStatus.ACTIVE,
                updatedAt.minus(Duration.ofDays(30)),
                updatedAt,
                null);
    }
}
