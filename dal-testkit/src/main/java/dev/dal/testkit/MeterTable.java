package dev.dal.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The meter table of dal-metrics' README, as the jar carries it ({@code META-INF/dal-metrics/README.md}):
 * one row per meter, {@code | `name` | type | `tag`, `tag` | all or network | meaning |}.
 */
final class MeterTable {
    private static final String README = "META-INF/dal-metrics/README.md";

    /**
     * One meter the README promises.
     *
     * @param name the meter's name
     * @param type {@code timer}, {@code counter} or {@code gauge}
     * @param tags the tag keys, exactly
     * @param networkOnly whether only stores with a network (and a connection pool) have it
     */
    record Row(String name, String type, Set<String> tags, boolean networkOnly) {}

    private MeterTable() {}

    static List<Row> read() {
        String text;
        try (InputStream in = MeterTable.class.getClassLoader().getResourceAsStream(README)) {
            if (in == null) {
                throw new AssertionError(README + " is not on the class path; dal-metrics packs its README there");
            }
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Row> rows = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (!line.startsWith("| `dal.")) {
                continue;
            }
            String[] cells = line.split("\\|");
            // cells[0] is empty: the line starts with the separator.
            Set<String> tags = Arrays.stream(cells[3].split(","))
                    .map(t -> t.replace("`", "").trim())
                    .collect(Collectors.toSet());
            rows.add(new Row(
                    cells[1].replace("`", "").trim(),
                    cells[2].trim(),
                    tags,
                    cells[4].trim().equals("network")));
        }
        return rows;
    }
}
