package dev.dal.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * What an application sees of Dal's artifacts: the BOM names every published module, each jar has a stable
 * name on the module path ({@code Automatic-Module-Name}), and the licence files are at the root. Reads the
 * build files of the repository this test runs in.
 */
class PublishingTest {
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    private static final Pattern MODULE = Pattern.compile("<module>([^<]+)</module>");
    private static final Pattern MODULE_NAME = Pattern.compile("<dal\\.module\\.name>([^<]+)</dal\\.module\\.name>");
    private static final Pattern BOM_ENTRY = Pattern.compile("<artifactId>(dal-[^<]+)</artifactId>");
    private static final Pattern JAR = Pattern.compile(".*/(dal-[a-z0-9-]+)-[0-9][^/]*\\.jar!/META-INF/MANIFEST\\.MF");

    @Test
    void theBomNamesEveryPublishedModuleAndNothingElse() throws IOException {
        Set<String> published = new TreeSet<>();
        for (String module : modules()) {
            String pom = pom(module);
            boolean notPublished = pom.contains("<maven.deploy.skip>true</maven.deploy.skip>");
            if (!module.equals("dal-bom") && !notPublished) {
                published.add(module);
            }
        }
        Set<String> inBom = new TreeSet<>();
        Matcher m = BOM_ENTRY.matcher(pom("dal-bom"));
        while (m.find()) {
            inBom.add(m.group(1));
        }
        inBom.remove("dal-bom");

        assertThat(published).contains("dal-api", "dal-file");
        assertThat(inBom).isEqualTo(published);
    }

    @Test
    void everyJarModuleNamesItselfOnTheModulePathOnceAndTheJarsCarryIt() throws IOException {
        Map<String, String> names = new HashMap<>();
        List<String> missing = new ArrayList<>();
        for (String module : modules()) {
            String pom = pom(module);
            if (pom.contains("<packaging>pom</packaging>")) {
                continue;
            }
            Matcher m = MODULE_NAME.matcher(pom);
            if (m.find()) {
                names.put(module, m.group(1));
            } else {
                missing.add(module);
            }
        }
        assertThat(missing).as("modules without dal.module.name").isEmpty();
        assertThat(names.values())
                .allMatch(n -> n.matches("dev\\.dal(\\.[a-z][a-z0-9]*)+"))
                .doesNotHaveDuplicates();

        // Built by a reactor `verify`, the modules this one depends on are on its class path as jars: each
        // must carry the name its POM sets. (Run from target/classes there are no jars to read.)
        for (URL url : Collections.list(getClass().getClassLoader().getResources("META-INF/MANIFEST.MF"))) {
            Matcher jar = JAR.matcher(url.toString());
            if (jar.matches() && names.containsKey(jar.group(1))) {
                try (InputStream in = url.openStream()) {
                    assertThat(new Manifest(in).getMainAttributes().getValue("Automatic-Module-Name"))
                            .as(url.toString())
                            .isEqualTo(names.get(jar.group(1)));
                }
            }
        }
    }

    @Test
    void theLicenceAndNoticeAreAtTheRoot() throws IOException {
        assertThat(Files.readString(ROOT.resolve("LICENSE"))).contains("Apache License", "Version 2.0");
        assertThat(Files.readString(ROOT.resolve("NOTICE"))).contains("Dal");
        assertThat(Files.readString(ROOT.resolve("pom.xml"))).contains("<name>Apache-2.0</name>");
    }

    @Test
    void theBomDeclaresTheFormatterAtTheParentsVersion() throws IOException {
        Matcher parent = Pattern.compile("<spotless.version>([^<]+)</spotless.version>")
                .matcher(Files.readString(ROOT.resolve("pom.xml")));
        assertThat(parent.find()).as("spotless.version in the parent").isTrue();
        assertThat(pom("dal-bom"))
                .contains("<artifactId>spotless-maven-plugin</artifactId>\n        <version>" + parent.group(1)
                        + "</version>");
    }

    private static Set<String> modules() throws IOException {
        Set<String> modules = new LinkedHashSet<>();
        Matcher m = MODULE.matcher(Files.readString(ROOT.resolve("pom.xml")));
        while (m.find()) {
            modules.add(m.group(1));
        }
        assertThat(modules).as("modules of " + ROOT).contains("dal-api", "dal-bom", "dal-architecture");
        return modules;
    }

    private static String pom(String module) throws IOException {
        return Files.readString(ROOT.resolve(module).resolve("pom.xml"));
    }
}
