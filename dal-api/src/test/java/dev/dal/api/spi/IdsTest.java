package dev.dal.api.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class IdsTest {

    @Test
    void idsAreVersion7Variant2() {
        for (int i = 0; i < 1000; i++) {
            UUID id = Ids.newId();
            assertThat(id.version()).isEqualTo(7);
            assertThat(id.variant()).isEqualTo(2);
        }
    }

    @Test
    void idsStrictlyIncreaseAsUuidsAndAsStrings() {
        int count = 100_000;
        UUID[] ids = new UUID[count];
        for (int i = 0; i < count; i++) {
            ids[i] = Ids.newId();
        }

        for (int i = 1; i < count; i++) {
            UUID previous = ids[i - 1];
            UUID current = ids[i];
            assertThat(Long.compareUnsigned(current.getMostSignificantBits(), previous.getMostSignificantBits()))
                    .as("msb of id %d must exceed its predecessor's", i)
                    .isPositive();
            assertThat(current.compareTo(previous)).as("UUID order at %d", i).isPositive();
            assertThat(current.toString().compareTo(previous.toString()))
                    .as("string order at %d", i)
                    .isPositive();
        }
    }

    @Test
    void timestampBitsAreTheCurrentTime() {
        long before = System.currentTimeMillis();
        UUID id = Ids.newId();
        long after = System.currentTimeMillis();

        long millis = id.getMostSignificantBits() >>> 16;
        assertThat(millis).isBetween(before, after + 5);
    }

    @Test
    void idsAreUniqueAcrossThreadsAndIncreaseWithinEach() throws Exception {
        int threads = 4;
        int perThread = 25_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<List<UUID>>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Callable<List<UUID>> generate = () -> {
                    List<UUID> mine = new ArrayList<>(perThread);
                    for (int i = 0; i < perThread; i++) {
                        mine.add(Ids.newId());
                    }
                    return mine;
                };
                futures.add(pool.submit(generate));
            }

            Set<UUID> all = new HashSet<>();
            for (Future<List<UUID>> future : futures) {
                List<UUID> mine = future.get();
                for (int i = 1; i < mine.size(); i++) {
                    assertThat(mine.get(i).compareTo(mine.get(i - 1))).isPositive();
                }
                all.addAll(mine);
            }
            assertThat(all).hasSize(threads * perThread);
        } finally {
            pool.shutdownNow();
        }
    }
}
