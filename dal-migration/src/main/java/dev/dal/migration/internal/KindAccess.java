package dev.dal.migration.internal;

import dev.dal.api.ChatSession;
import dev.dal.api.MemoryEntry;
import dev.dal.api.Message;
import dev.dal.api.User;
import dev.dal.api.bulk.BulkAccess;
import dev.dal.api.bulk.ScanBatch;
import dev.dal.api.spi.CodePointOrder;
import dev.dal.migration.Partition;
import dev.dal.migration.RecordKind;
import java.util.List;

/**
 * What the tools need of one kind of record: scan, upsert, the scan-order key, the id to report,
 * and which partition owns it. Records travel as {@code Object} so one engine handles all kinds.
 */
public abstract class KindAccess {
    private final RecordKind kind;

    private KindAccess(RecordKind kind) {
        this.kind = kind;
    }

    /** @return the kind */
    public RecordKind kind() {
        return kind;
    }

    /**
     * @param kind a kind
     * @return its access
     */
    public static KindAccess of(RecordKind kind) {
        return switch (kind) {
            case USERS -> USERS;
            case SESSIONS -> SESSIONS;
            case MESSAGES -> MESSAGES;
            case MEMORY -> MEMORY;
        };
    }

    /**
     * Scans a batch.
     *
     * @param bulk the store
     * @param cursor the cursor
     * @param size the batch size
     * @return the batch
     */
    public abstract ScanBatch<?> scan(BulkAccess bulk, String cursor, int size);

    /**
     * Upserts records of this kind.
     *
     * @param bulk the store
     * @param records the records
     */
    public abstract void upsert(BulkAccess bulk, List<Object> records);

    /**
     * Writes records whatever version the store holds (messages carry none: the same as {@link #upsert}).
     *
     * @param bulk the target
     * @param records records of this kind
     */
    public abstract void overwrite(BulkAccess bulk, List<Object> records);

    /**
     * @param a a record
     * @param b another of the same kind
     * @return their order in the scan (negative when {@code a} comes first)
     */
    public abstract int compare(Object a, Object b);

    /**
     * @param record a record
     * @return how reports name it, e.g. a user's id or {@code sessionId#3}
     */
    public abstract String id(Object record);

    /**
     * @param record a record
     * @param partition a partition
     * @return whether the partition copies it
     */
    public abstract boolean owned(Object record, Partition partition);

    @SuppressWarnings("unchecked")
    private static <T> List<T> cast(List<Object> records) {
        return (List<T>) (List<?>) records;
    }

    private static final KindAccess USERS = new KindAccess(RecordKind.USERS) {
        @Override
        public ScanBatch<?> scan(BulkAccess bulk, String cursor, int size) {
            return bulk.scanUsers(cursor, size);
        }

        @Override
        public void upsert(BulkAccess bulk, List<Object> records) {
            bulk.upsertUsers(cast(records));
        }

        @Override
        public void overwrite(BulkAccess bulk, List<Object> records) {
            bulk.overwriteUsers(cast(records));
        }

        @Override
        public int compare(Object a, Object b) {
            return ((User) a).id().toString().compareTo(((User) b).id().toString());
        }

        @Override
        public String id(Object record) {
            return ((User) record).id().toString();
        }

        @Override
        public boolean owned(Object record, Partition partition) {
            return true;
        }
    };

    private static final KindAccess SESSIONS = new KindAccess(RecordKind.SESSIONS) {
        @Override
        public ScanBatch<?> scan(BulkAccess bulk, String cursor, int size) {
            return bulk.scanSessions(cursor, size);
        }

        @Override
        public void upsert(BulkAccess bulk, List<Object> records) {
            bulk.upsertSessions(cast(records));
        }

        @Override
        public void overwrite(BulkAccess bulk, List<Object> records) {
            bulk.overwriteSessions(cast(records));
        }

        @Override
        public int compare(Object a, Object b) {
            return ((ChatSession) a).id().toString().compareTo(((ChatSession) b).id().toString());
        }

        @Override
        public String id(Object record) {
            return ((ChatSession) record).id().toString();
        }

        @Override
        public boolean owned(Object record, Partition partition) {
            return partition.owns(((ChatSession) record).id());
        }
    };

    private static final KindAccess MESSAGES = new KindAccess(RecordKind.MESSAGES) {
        @Override
        public ScanBatch<?> scan(BulkAccess bulk, String cursor, int size) {
            return bulk.scanMessages(cursor, size);
        }

        @Override
        public void upsert(BulkAccess bulk, List<Object> records) {
            bulk.upsertMessages(cast(records));
        }

        @Override
        public void overwrite(BulkAccess bulk, List<Object> records) {
            bulk.upsertMessages(cast(records));
        }

        @Override
        public int compare(Object a, Object b) {
            Message x = (Message) a;
            Message y = (Message) b;
            int bySession = x.sessionId().toString().compareTo(y.sessionId().toString());
            return bySession != 0 ? bySession : Long.compare(x.sequenceNumber(), y.sequenceNumber());
        }

        @Override
        public String id(Object record) {
            Message m = (Message) record;
            return m.id() + " (session " + m.sessionId() + " #" + m.sequenceNumber() + ")";
        }

        @Override
        public boolean owned(Object record, Partition partition) {
            return partition.owns(((Message) record).sessionId());
        }
    };

    private static final KindAccess MEMORY = new KindAccess(RecordKind.MEMORY) {
        @Override
        public ScanBatch<?> scan(BulkAccess bulk, String cursor, int size) {
            return bulk.scanMemory(cursor, size);
        }

        @Override
        public void upsert(BulkAccess bulk, List<Object> records) {
            bulk.upsertMemory(cast(records));
        }

        @Override
        public void overwrite(BulkAccess bulk, List<Object> records) {
            bulk.overwriteMemory(cast(records));
        }

        @Override
        public int compare(Object a, Object b) {
            MemoryEntry x = (MemoryEntry) a;
            MemoryEntry y = (MemoryEntry) b;
            int byUser = x.userId().toString().compareTo(y.userId().toString());
            if (byUser != 0) {
                return byUser;
            }
            int byType = CodePointOrder.compare(x.memoryType(), y.memoryType());
            return byType != 0 ? byType : CodePointOrder.compare(x.key(), y.key());
        }

        @Override
        public String id(Object record) {
            MemoryEntry e = (MemoryEntry) record;
            return e.userId() + "/" + e.memoryType() + "/" + e.key();
        }

        @Override
        public boolean owned(Object record, Partition partition) {
            return partition.owns(((MemoryEntry) record).userId());
        }
    };
}
