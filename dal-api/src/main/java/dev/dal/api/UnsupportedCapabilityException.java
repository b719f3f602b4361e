package dev.dal.api;

/** The operation needs a {@link Capability} this store does not have (see {@link DataAccess#capabilities()}). */
public class UnsupportedCapabilityException extends DataAccessException {
    private static final long serialVersionUID = 1L;

    /** The capability the store lacks, as named by the store that threw. */
    private final Capability capability;

    /**
     * @param capability the missing capability
     * @param reason why this store lacks it, e.g. "MongoDB standalone servers have no transactions"
     */
    public UnsupportedCapabilityException(Capability capability, String reason) {
        super("Store lacks capability " + capability + ": " + reason);
        this.capability = capability;
    }

    /**
     * The refusal of a store that does not declare a capability at all.
     *
     * @param capability the capability the store does not declare
     * @return an exception naming it
     */
    public static UnsupportedCapabilityException notDeclared(Capability capability) {
        return new UnsupportedCapabilityException(capability, "this store does not declare it");
    }

    /** @return the capability that is missing */
    public Capability capability() {
        return capability;
    }
}
