package dev.dal.postgres.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ReplicaBehindSinceTest {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    @Test
    void aReplicaThatReplaysNothingIsBehindForAsLongAsItHasBeenShortOfTheFirstPositionItMissed() {
        PostgresReplicas.BehindSince behind = new PostgresReplicas.BehindSince();
        assertThat(behind.observe(100, 100, 0)).isZero();
        assertThat(behind.observe(100, 150, SECOND)).isZero();
        assertThat(behind.observe(100, 170, 3 * SECOND)).isEqualTo(2.0);
        assertThat(behind.observe(149, 200, 4 * SECOND))
                .as("still short of the position first missed")
                .isEqualTo(3.0);
    }

    @Test
    void passingThePositionFirstMissedStartsTheCountAgainFromTheNewPosition() {
        PostgresReplicas.BehindSince behind = new PostgresReplicas.BehindSince();
        behind.observe(100, 150, 0);
        assertThat(behind.observe(150, 200, 5 * SECOND)).isZero();
        assertThat(behind.observe(180, 260, 6 * SECOND)).isEqualTo(1.0);
        assertThat(behind.observe(260, 260, 7 * SECOND)).as("caught up").isZero();
        assertThat(behind.observe(260, 300, 8 * SECOND)).isZero();
    }

    @Test
    void aReplicaThatWasDownOrPromotedIsCountedAfreshWhenItAnswersAgain() {
        PostgresReplicas.BehindSince behind = new PostgresReplicas.BehindSince();
        behind.observe(100, 150, 0);
        behind.clear();
        assertThat(behind.observe(100, 150, 9 * SECOND)).isZero();
    }
}
