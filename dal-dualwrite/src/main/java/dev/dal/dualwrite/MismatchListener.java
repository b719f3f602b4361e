package dev.dal.dualwrite;

/**
 * Hears of every confirmed mismatch of {@link ReadFrom#COMPARE} mode (Scientist's result publisher): a
 * compared read whose answers still differed when read again a moment later. Races with in-flight
 * replication are counted but not published.
 *
 * <p>Register one with {@link DualWriteDataAccess#addMismatchListener}, or for every decorator of the
 * application through {@link java.util.ServiceLoader} ({@code META-INF/services/dev.dal.dualwrite.MismatchListener}).
 * Listeners run on the decorator's own threads, never the caller's; one that throws is logged and skipped.
 * A mismatch holds the differing values, which are user data: a listener decides where they may go.
 */
@FunctionalInterface
public interface MismatchListener {

    /** @param mismatch the read, its ids and the differing fields */
    void onMismatch(Mismatch mismatch);
}
