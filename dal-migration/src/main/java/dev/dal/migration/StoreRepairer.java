package dev.dal.migration;

import dev.dal.api.DataAccess;
import dev.dal.migration.internal.KindAccess;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Makes a target equal to its source by copying exactly what {@link StoreVerifier} finds missing
 * or different, in batches, parents before children. The source wins: its records overwrite the target's
 * whatever versions the target holds (a record changed or deleted in the target alone comes back as the
 * source has it). Records only in the target are reported,
 * not deleted: the bulk SPI cannot delete, and removing data is a decision for an operator.
 */
public final class StoreRepairer {
    private final DataAccess source;
    private final DataAccess target;
    private final int batchSize;

    /**
     * @param source the reference store
     * @param target the store to repair
     * @param batchSize records per scan and per write
     */
    public StoreRepairer(DataAccess source, DataAccess target, int batchSize) {
        this.source = source;
        this.target = target;
        this.batchSize = batchSize;
    }

    /**
     * The outcome of a repair.
     *
     * @param found what verification found before the repair
     * @param copied records written per kind
     */
    public record Result(VerifyReport found, Map<RecordType, Long> copied) {
        /**
         * Copies the map.
         *
         * @param found what verification found before the repair
         * @param copied records written per kind
         */
        public Result {
            copied = Map.copyOf(copied);
        }
    }

    /**
     * @param listener hears each difference found
     * @return what was found and what was copied
     */
    public Result repair(Consumer<Difference> listener) {
        Pending pending = new Pending();
        StoreVerifier verifier = new StoreVerifier(source, target, batchSize, 10_000);
        VerifyReport found = verifier.verify(
                (difference, sourceRecord) -> {
                    listener.accept(difference);
                    if (sourceRecord != null) {
                        pending.add(difference.kind(), sourceRecord);
                    }
                },
                kind -> pending.flush());
        return new Result(found, pending.copied);
    }

    /**
     * The source records waiting to be written, at most a batch, all of one type: the verifier reports the
     * types one after the other and the repair flushes at the end of each.
     */
    private final class Pending {
        private final Map<RecordType, Long> copied = new EnumMap<>(RecordType.class);
        private final List<Object> records = new ArrayList<>();
        private RecordType type = RecordType.USERS;

        Pending() {
            for (RecordType each : RecordType.values()) {
                copied.put(each, 0L);
            }
        }

        void add(RecordType of, Object record) {
            type = of;
            records.add(record);
            if (records.size() >= batchSize) {
                flush();
            }
        }

        void flush() {
            if (!records.isEmpty()) {
                overwrite(KindAccess.of(type), records);
                copied.merge(type, (long) records.size(), Long::sum);
                records.clear();
            }
        }

        private <T> void overwrite(KindAccess<T> access, List<?> sourceRecords) {
            access.overwrite(target.bulk(), access.typed(sourceRecords));
        }
    }
}
