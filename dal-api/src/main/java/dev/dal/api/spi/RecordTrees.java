package dev.dal.api.spi;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dal.api.Message;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;

/**
 * A record's own JSON tree, without the copy its public accessor makes. {@link Message#metadata()} returns a
 * deep copy so that an application cannot change a record it holds; a backend writing thousands of messages
 * per call only reads the tree to serialize or validate it, and the copy per message was a measurable share of
 * a batch's client time. The tree returned here is the record's: read it, never change it, never hand it to
 * an application.
 */
public final class RecordTrees {
    private static final MethodHandle MESSAGE_METADATA;

    static {
        try {
            MESSAGE_METADATA = MethodHandles.privateLookupIn(Message.class, MethodHandles.lookup())
                    .findGetter(Message.class, "metadata", ObjectNode.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private RecordTrees() {}

    /**
     * The message's metadata as the record holds it: canonical, never {@code null}.
     *
     * @param message a message
     * @return the record's own tree, to be read only
     */
    public static ObjectNode metadata(Message message) {
        try {
            return (ObjectNode) MESSAGE_METADATA.invokeExact(message);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }
}
