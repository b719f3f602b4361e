package dev.dal.dualwrite.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.dal.api.JsonValues;
import dev.dal.dualwrite.FieldDifference;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** A field-level diff of two answers to the same read: each rendered as JSON, compared path by path. */
public final class RecordDiff {
    private static final ObjectMapper MAPPER = JsonValues.newMapper();

    private RecordDiff() {}

    /**
     * @param primary the primary's answer (a record, a list, an optional, a number)
     * @param secondary the secondary's answer
     * @return every differing leaf, by JSON pointer; empty when the answers are equal
     */
    public static List<FieldDifference> between(Object primary, Object secondary) {
        List<FieldDifference> out = new ArrayList<>();
        diff("", tree(primary), tree(secondary), out);
        return out;
    }

    private static JsonNode tree(Object value) {
        Object plain = value instanceof Optional<?> o ? o.orElse(null) : value;
        return plain == null ? NullNode.getInstance() : MAPPER.valueToTree(plain);
    }

    private static void diff(String path, JsonNode a, JsonNode b, List<FieldDifference> out) {
        if (a != null && b != null && a.isObject() && b.isObject()) {
            Set<String> names = new LinkedHashSet<>();
            a.properties().forEach(e -> names.add(e.getKey()));
            b.properties().forEach(e -> names.add(e.getKey()));
            for (String name : names) {
                diff(path + "/" + name.replace("~", "~0").replace("/", "~1"), a.get(name), b.get(name), out);
            }
        } else if (a != null && b != null && a.isArray() && b.isArray()) {
            for (int i = 0; i < Math.max(a.size(), b.size()); i++) {
                diff(path + "/" + i, a.get(i), b.get(i), out);
            }
        } else if (a == null || !a.equals(b)) {
            out.add(new FieldDifference(path.isEmpty() ? "/" : path, a, b));
        }
    }
}
