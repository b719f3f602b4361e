package dev.dal.migration.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dal.api.JsonValues;
import dev.dal.api.Role;
import dev.dal.api.ValidationException;
import java.time.Instant;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Reads one legacy message, the same way for every importer: role (through the mapping's role
 * names), content, timestamp and, when the layout has them, metadata, token count and abuse flag;
 * other fields go under {@code legacy} in the metadata, secrets left out. A message Dal cannot hold
 * (no role, an unknown role, no content, a NUL character, content or metadata over the store's limits) is
 * skipped with its reason; a field of the wrong type is an error.
 */
public final class MessageReader {
    /**
     * The input's field names for a message; {@code metadata}, {@code tokenCount} and
     * {@code abuseFlagged} may be {@code null} when the layout has none.
     *
     * @param role the role field
     * @param content the content field
     * @param timestamp the timestamp field
     * @param metadata the metadata field, or {@code null}
     * @param tokenCount the token count field, or {@code null}
     * @param abuseFlagged the abuse flag field, or {@code null}
     * @param alsoRead further fields the importer reads itself (kept out of {@code legacy})
     */
    public record Fields(
            String role,
            String content,
            String timestamp,
            String metadata,
            String tokenCount,
            String abuseFlagged,
            Set<String> alsoRead) {}

    private final Fields fields;
    private final UnaryOperator<String> roles;
    private final LegacyTime time;
    private final Secrets secrets;
    private final RecordLimits limits;

    /**
     * @param fields the field names
     * @param roles the input's role name to Dal's
     * @param time how timestamps are written
     * @param secrets which fields are never copied
     * @param limits what the store accepts
     */
    public MessageReader(
            Fields fields, UnaryOperator<String> roles, LegacyTime time, Secrets secrets, RecordLimits limits) {
        this.fields = fields;
        this.roles = roles;
        this.time = time;
        this.secrets = secrets;
        this.limits = limits;
    }

    /**
     * @param doc the message document
     * @param plan where a skip is recorded
     * @return the message, or empty when it is skipped
     * @throws ValidationException when a field has the wrong type
     */
    public Optional<ImportPlan.Message> read(LegacyDoc doc, ImportPlan plan) {
        Optional<String> roleName = doc.text(fields.role());
        Optional<String> content = doc.text(fields.content());
        Instant at = doc.time(fields.timestamp(), time).orElse(null);
        ObjectNode metadata = optional(fields.metadata())
                .flatMap(doc::object)
                .map(o -> (ObjectNode) secrets.strip(o))
                .orElse(JsonValues.emptyObject());
        Integer tokens = optional(fields.tokenCount()).flatMap(doc::integer).orElse(null);
        boolean flagged = optional(fields.abuseFlagged()).flatMap(doc::bool).orElse(false);
        ObjectNode legacy = doc.legacy(read(), secrets);
        if (!legacy.isEmpty()) {
            metadata.set("legacy", legacy);
        }
        Optional<String> problem = problem(roleName, content).or(() -> limits.json("metadata", metadata));
        if (problem.isPresent()) {
            plan.skip(doc.origin(), doc.document(), problem.get());
            return Optional.empty();
        }
        return Optional.of(new ImportPlan.Message(
                doc.origin(),
                doc.document(),
                Role.fromWireName(roles.apply(roleName.get())),
                content.get(),
                at,
                metadata,
                tokens,
                flagged));
    }

    private Optional<String> problem(Optional<String> roleName, Optional<String> content) {
        if (roleName.isEmpty()) {
            return Optional.of("no role");
        }
        try {
            Role.fromWireName(roles.apply(roleName.get()));
        } catch (ValidationException e) {
            return Optional.of("unknown role '" + roleName.get() + "'");
        }
        if (content.isEmpty()) {
            return Optional.of("no content");
        }
        if (content.get().length() > limits.maxContentLength()) {
            return Optional.of("content longer than " + limits.maxContentLength() + " characters");
        }
        return RecordLimits.unclean(content.get()).map(p -> "content " + p);
    }

    private Set<String> read() {
        Set<String> read = new HashSet<>(fields.alsoRead());
        read.add(fields.role());
        read.add(fields.content());
        read.add(fields.timestamp());
        optional(fields.metadata()).ifPresent(read::add);
        optional(fields.tokenCount()).ifPresent(read::add);
        optional(fields.abuseFlagged()).ifPresent(read::add);
        return read;
    }

    private static Optional<String> optional(String field) {
        return Optional.ofNullable(field);
    }
}
