package dev.dal.dualwrite.internal;

import dev.dal.api.Capability;
import dev.dal.api.UnsupportedCapabilityException;
import java.util.EnumSet;
import java.util.Set;

/**
 * Message votes are not replicated: the repair journal and the bulk interface do not carry them, so a vote the
 * primary took could never be brought to the secondary. A dual-write store, and every transaction handle it gives
 * out, refuses them rather than let the stores drift apart.
 */
public final class UnreplicatedVotes {
    private UnreplicatedVotes() {}

    /** @return the refusal of a vote call */
    public static UnsupportedCapabilityException refusal() {
        return new UnsupportedCapabilityException(
                Capability.MESSAGE_VOTES, "a dual-write store does not replicate message votes");
    }

    /**
     * @param capabilities what a store declares
     * @return the same, without {@link Capability#MESSAGE_VOTES}
     */
    public static Set<Capability> without(Set<Capability> capabilities) {
        Set<Capability> kept = capabilities.isEmpty() ? EnumSet.noneOf(Capability.class) : EnumSet.copyOf(capabilities);
        kept.remove(Capability.MESSAGE_VOTES);
        return kept;
    }
}
