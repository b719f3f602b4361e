package dev.dal.api.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dal.api.bulk.ScanBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;

class ScanBatchesTest {
    /** A scan over 0..4 whose cursor is the last number returned. */
    private static final ScanBatches.Scan<Integer> NUMBERS = (cursor, size) -> {
        int from = cursor == null ? 0 : Integer.parseInt(cursor) + 1;
        List<Integer> items = new ArrayList<>();
        for (int i = from; i < 5 && items.size() < size; i++) {
            items.add(i);
        }
        return ScanCursors.batch(items, size, String::valueOf);
    };

    @Test
    void walksEveryBatchToTheEndIncludingAnEmptyLastOne() {
        List<List<? extends Integer>> batches = new ArrayList<>();
        for (ScanBatch<? extends Integer> batch : ScanBatches.of(NUMBERS, 5)) {
            batches.add(batch.items());
        }

        assertThat(batches).containsExactly(List.of(0, 1, 2, 3, 4), List.of());
    }

    @Test
    void resumesAfterTheGivenCursor() {
        List<Integer> seen = new ArrayList<>();
        ScanBatches.from(NUMBERS, "1", 2).forEach(batch -> seen.addAll(batch.items()));

        assertThat(seen).containsExactly(2, 3, 4);
    }

    @Test
    void readsNothingBeforeItIsAskedAndNothingAfterTheEnd() {
        int[] calls = {0};
        ScanBatches<Integer> batches = ScanBatches.of(
                (c, n) -> {
                    calls[0]++;
                    return NUMBERS.batch(c, n);
                },
                10);

        assertThat(calls[0]).isZero();
        assertThat(batches.next().items()).hasSize(5);
        assertThat(batches.hasNext()).isFalse();
        assertThatThrownBy(batches::next).isInstanceOf(NoSuchElementException.class);
        assertThat(calls[0]).isEqualTo(1);
    }
}
