package dev.dal.api.bulk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dal.api.ValidationException;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class IdRangeTest {
    private static final UUID LOW = UUID.fromString("7fffffff-ffff-ffff-ffff-ffffffffffff");
    private static final UUID HIGH = UUID.fromString("80000000-0000-0000-0000-000000000000");

    @Test
    void ordersIdsAsTheirCanonicalStringsDoNotAsUuidCompareToDoes() {
        assertThat(LOW.compareTo(HIGH)).as("UUID's signed order").isPositive();
        assertThat(IdRange.compare(LOW, HIGH)).isNegative();
        assertThat(LOW.toString().compareTo(HIGH.toString())).isNegative();
        assertThat(new IdRange(LOW, HIGH).contains(LOW)).isTrue();
        assertThat(IdRange.ALL.contains(HIGH)).isTrue();
        assertThat(new IdRange(HIGH, HIGH).contains(LOW)).isFalse();
    }

    @Test
    void splitPartsAreContiguousAndTogetherHoldExactlyTheRange() {
        List<IdRange> parts = IdRange.ALL.split(16);
        assertThat(parts).hasSize(16);
        assertThat(parts.get(0).first()).isEqualTo(IdRange.ALL.first());
        assertThat(parts.get(0).last()).isEqualTo(UUID.fromString("0fffffff-ffff-ffff-ffff-ffffffffffff"));
        assertThat(parts.get(15).last()).isEqualTo(IdRange.ALL.last());
        for (int i = 1; i < parts.size(); i++) {
            UUID end = parts.get(i - 1).last();
            UUID next = parts.get(i).first();
            // The next part starts at the id right after the previous part's last one.
            assertThat(new IdRange(end, next).split(5)).hasSize(2);
        }
        assertThat(new IdRange(LOW, HIGH).split(16)).containsExactly(new IdRange(LOW, LOW), new IdRange(HIGH, HIGH));
        assertThat(new IdRange(HIGH, HIGH).single()).isTrue();
    }

    @Test
    void aRangeEndingBeforeItStartsOrASplitInOneIsRefusedNamingTheField() {
        assertThatThrownBy(() -> new IdRange(HIGH, LOW))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("range");
        assertThatThrownBy(() -> IdRange.ALL.split(1))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("parts");
    }

    @Test
    void nextAndPreviousStepOneIdCarryingAcrossTheHalvesAndStopAtTheEnds() {
        assertThat(IdRange.next(LOW)).isEqualTo(HIGH);
        assertThat(IdRange.previous(HIGH)).isEqualTo(LOW);
        UUID lowHalfFull = UUID.fromString("00000000-0000-0001-ffff-ffffffffffff");
        assertThat(IdRange.next(lowHalfFull)).isEqualTo(UUID.fromString("00000000-0000-0002-0000-000000000000"));
        assertThat(IdRange.previous(IdRange.next(lowHalfFull))).isEqualTo(lowHalfFull);
        assertThat(IdRange.next(IdRange.ALL.last())).isNull();
        assertThat(IdRange.previous(IdRange.ALL.first())).isNull();
    }
}
