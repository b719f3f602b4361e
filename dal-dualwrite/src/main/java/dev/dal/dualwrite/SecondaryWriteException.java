package dev.dal.dualwrite;

import dev.dal.api.DataAccessException;
import java.util.List;

/**
 * The primary committed a write and the secondary did not get it (it failed, or did not answer within
 * {@code MIGRATION_SECONDARY_TIMEOUT}) under {@link SecondaryFailurePolicy#FAIL}. The write is durable in the
 * primary, the source of truth: do not retry it blindly (a retried create would create a second record).
 */
public class SecondaryWriteException extends DataAccessException {
    private static final long serialVersionUID = 1L;

    /** Not serialized: a deserialized exception reports no divergences. */
    private final transient List<RepairEntry> divergences;

    /**
     * @param message what happened, without secrets
     * @param divergences what the secondary is missing
     */
    public SecondaryWriteException(String message, List<RepairEntry> divergences) {
        super(message);
        this.divergences = List.copyOf(divergences);
    }

    /** @return what the secondary is missing, one entry per record */
    public List<RepairEntry> divergences() {
        return divergences == null ? List.of() : divergences;
    }
}
