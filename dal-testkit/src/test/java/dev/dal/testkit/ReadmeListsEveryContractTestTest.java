package dev.dal.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The module README's "Test cases" section is what backend authors read to learn what the kit holds them to: it
 * must name every contract of {@link DataAccessConformance}, with the right count, and every test of each, with
 * the capabilities it needs.
 */
class ReadmeListsEveryContractTestTest {
    private static final Pattern ITEM = Pattern.compile("^- `(\\w+)`( — needs ((?:`\\w+`(?:, )?)+))?");

    @Test
    void everyContractAndEveryTestIsListedWithItsCountAndCapabilities() throws IOException {
        String readme = Files.readString(Path.of("README.md"), StandardCharsets.UTF_8);
        String cases = readme.substring(readme.indexOf("## Test cases"));
        int total = 0;
        for (Class<?> contract : DataAccessConformance.class.getInterfaces()) {
            List<Method> tests = Arrays.stream(contract.getDeclaredMethods())
                    .filter(m -> m.isAnnotationPresent(Test.class))
                    .toList();
            total += tests.size();
            String name = contract.getSimpleName();
            assertThat(cases)
                    .as("table row of %s", name)
                    .contains("| [`" + name + "`](#" + name.toLowerCase() + ") | " + tests.size() + " |");
            int at = cases.indexOf("\n### " + name + "\n");
            assertThat(at).as("section of %s", name).isNotNegative();
            int next = cases.indexOf("\n### ", at + 1);
            String section = cases.substring(at, next < 0 ? cases.length() : next);
            Set<String> listed = new TreeSet<>();
            for (String line : section.split("\n")) {
                Matcher m = ITEM.matcher(line);
                if (m.find()) {
                    listed.add(m.group(1) + needs(m.group(3)));
                }
            }
            Set<String> expected = tests.stream()
                    .map(m -> m.getName() + needs(m.getAnnotation(Requires.class)))
                    .collect(Collectors.toCollection(TreeSet::new));
            assertThat(listed)
                    .as("tests listed under %s (name, then what they need)", name)
                    .isEqualTo(expected);
        }
        assertThat(cases).contains("| **total** | **" + total + "** |");
    }

    private static String needs(Requires requires) {
        if (requires == null) {
            return "";
        }
        List<String> caps = new ArrayList<>();
        Arrays.stream(requires.value()).forEach(c -> caps.add(c.name()));
        return " " + caps;
    }

    private static String needs(String listed) {
        if (listed == null) {
            return "";
        }
        return " "
                + Arrays.stream(listed.split(", ")).map(s -> s.replace("`", "")).toList();
    }
}
