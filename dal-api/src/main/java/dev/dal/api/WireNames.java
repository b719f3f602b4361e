package dev.dal.api;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Parses the lower-case names under which Dal's enums are stored. */
final class WireNames {
    private WireNames() {}

    static <E extends Enum<E>> E parse(Class<E> type, String value, String field) {
        if (value != null) {
            for (E candidate : type.getEnumConstants()) {
                if (candidate.name().equalsIgnoreCase(value.trim())) {
                    return candidate;
                }
            }
        }
        throw new ValidationException(
                field,
                "must be one of "
                        + Arrays.stream(type.getEnumConstants())
                                .map(e -> e.name().toLowerCase(Locale.ROOT))
                                .collect(Collectors.joining(", ")));
    }
}
