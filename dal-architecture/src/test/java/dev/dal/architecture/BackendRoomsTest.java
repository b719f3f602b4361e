package dev.dal.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.dal.api.DataAccess;
import dev.dal.api.bulk.BulkAccess;
import dev.dal.api.spi.DataAccessProvider;
import dev.dal.api.spi.SchemaMigrator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every backend module has the same rooms under the same names, so an engineer who knows one backend finds
 * the same thing in the same place in another: {@code XStoreProvider} (public), and in {@code internal}
 * {@code XStore} (the {@link DataAccess}), {@code XWrites} (every write of the API), {@code XReads} (every
 * read), {@code XBulkAccess} (the {@link BulkAccess}), the mapping ({@code XRows}, {@code XDocuments} or
 * {@code XRecords}), {@code XErrors} (driver and I/O failures into Dal's failures), {@code XSettings},
 * {@code XSchemaMigrator} (the {@link SchemaMigrator}), {@code XHealth} and {@code XStores} (opening).
 */
class BackendRoomsTest {

    /** Each backend's base package and the prefix its classes carry. */
    private static final Map<String, String> BACKENDS = Map.of(
            "dev.dal.file", "File", "dev.dal.postgres", "Postgres", "dev.dal.mongo", "Mongo", "dev.dal.neo4j", "Neo4j");

    /** The rooms every backend's internal package holds, by the word after the prefix. */
    private static final List<String> ROOMS = List.of(
            "Store", "Writes", "Reads", "BulkAccess", "Errors", "Settings", "SchemaMigrator", "Health", "Stores");

    /** The mapping room takes the word of the store's native form. */
    private static final List<String> MAPPING_WORDS = List.of("Rows", "Documents", "Records");

    private static JavaClasses production;

    @BeforeAll
    static void importProductionClasses() {
        production = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(BACKENDS.keySet());
    }

    static Stream<Arguments> backends() {
        return BACKENDS.entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .map(e -> Arguments.of(e.getKey(), e.getValue()));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("backends")
    void everyBackendHasEveryRoom(String base, String prefix) {
        List<String> missing = new ArrayList<>();
        for (String room : ROOMS) {
            if (find(base + ".internal." + prefix + room).isEmpty()) {
                missing.add(prefix + room);
            }
        }
        if (MAPPING_WORDS.stream()
                .noneMatch(w -> find(base + ".internal." + prefix + w).isPresent())) {
            missing.add(prefix + String.join("|", MAPPING_WORDS));
        }
        if (find(base + "." + prefix + "StoreProvider").isEmpty()) {
            missing.add(prefix + "StoreProvider");
        }
        assertThat(missing).as("rooms missing in %s", base).isEmpty();
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("backends")
    void eachRoomIsWhatItsNameSays(String base, String prefix) {
        assertThat(find(base + ".internal." + prefix + "Store").orElseThrow().isAssignableTo(DataAccess.class))
                .as(prefix + "Store is the DataAccess")
                .isTrue();
        assertThat(find(base + ".internal." + prefix + "BulkAccess")
                        .orElseThrow()
                        .isAssignableTo(BulkAccess.class))
                .as(prefix + "BulkAccess is the BulkAccess")
                .isTrue();
        assertThat(find(base + ".internal." + prefix + "SchemaMigrator")
                        .orElseThrow()
                        .isAssignableTo(SchemaMigrator.class))
                .as(prefix + "SchemaMigrator is the SchemaMigrator")
                .isTrue();
        assertThat(find(base + "." + prefix + "StoreProvider").orElseThrow().isAssignableTo(DataAccessProvider.class))
                .as(prefix + "StoreProvider is the provider")
                .isTrue();
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("backends")
    void noClassCarriesAnotherBackendsPrefix(String base, String prefix) {
        List<String> foreign = production.stream()
                .filter(c -> c.getPackageName().startsWith(base))
                .map(JavaClass::getSimpleName)
                .filter(name -> BACKENDS.values().stream()
                        .filter(p -> !p.equals(prefix))
                        .anyMatch(other -> name.startsWith(other) && !name.startsWith(prefix)))
                .toList();
        assertThat(foreign)
                .as("classes of %s named after another backend", base)
                .isEmpty();
    }

    private static Optional<JavaClass> find(String name) {
        return production.stream().filter(c -> c.getName().equals(name)).findFirst();
    }
}
