package dev.dal.integration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessFactory;
import dev.dal.api.NewUser;
import dev.dal.api.User;
import dev.dal.api.UserUpdate;
import dev.dal.dualwrite.DualWriteDataAccess;
import dev.dal.dualwrite.FieldDifference;
import dev.dal.dualwrite.Mismatch;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Compare mode, configured as an application would: a record changed behind the decorator's back is caught. */
class CompareModeTest {
    @TempDir
    Path dir;

    private DataAccess open(String sampleRate) {
        return DataAccessFactory.create(DalConfig.fromMap(Map.of(
                "DATA_STORAGE_TYPE",
                "file",
                "DATA_DIR",
                dir.resolve("old").toString(),
                "MIGRATION_ENABLE_DUAL_WRITE",
                "true",
                "MIGRATION_SECONDARY_STORAGE_TYPE",
                "file",
                "MIGRATION_SECONDARY_DATA_DIR",
                dir.resolve("new").toString(),
                "MIGRATION_READ_FROM",
                "compare",
                "MIGRATION_COMPARE_SAMPLE_RATE",
                sampleRate)));
    }

    @Test
    void aRecordChangedOnTheSecondaryIsReportedFieldByFieldAndThePrimaryAnswers() {
        try (DataAccess store = open("1")) {
            DualWriteDataAccess dual = DualWriteDataAccess.find(store).orElseThrow();
            User user = store.createUser(
                    NewUser.builder().externalId("x").name("Ada").build());
            assertThat(store.getUser(user.id())).contains(user);
            assertThat(dual.counters().mismatches()).isZero();

            dual.secondary()
                    .updateUser(user.id(), UserUpdate.builder().name("Eve").build());

            assertThat(store.getUser(user.id())).contains(user);
            assertThat(dual.counters().readsCompared()).isEqualTo(2);
            assertThat(DualWritePilotAndCompareTest.awaitRechecks(dual, 1).mismatches())
                    .isEqualTo(1);
            Mismatch mismatch = dual.recentMismatches().get(0);
            assertThat(mismatch.operation()).isEqualTo("getUser");
            assertThat(mismatch.ids()).containsExactly(user.id().toString());
            assertThat(mismatch.differences()).extracting(FieldDifference::path).contains("/name", "/updatedAt");
            FieldDifference name = mismatch.differences().stream()
                    .filter(d -> d.path().equals("/name"))
                    .findFirst()
                    .orElseThrow();
            assertThat(name.primary().asText()).isEqualTo("Ada");
            assertThat(name.secondary().asText()).isEqualTo("Eve");
        }
    }

    @Test
    void aSampleRateOfZeroComparesNothing() {
        try (DataAccess store = open("0")) {
            DualWriteDataAccess dual = DualWriteDataAccess.find(store).orElseThrow();
            User user = store.createUser(NewUser.withExternalId("x"));
            dual.secondary()
                    .updateUser(user.id(), UserUpdate.builder().name("changed").build());

            store.getUser(user.id());

            assertThat(dual.counters().readsCompared()).isZero();
            assertThat(dual.recentMismatches()).isEmpty();
        }
    }
}
