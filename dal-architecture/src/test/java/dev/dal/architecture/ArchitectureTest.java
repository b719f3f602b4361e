package dev.dal.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.properties.HasName;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import com.tngtech.archunit.library.GeneralCodingRules;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The module boundaries (the API names no driver, no backend depends on another, the migration tool
 * reaches the backends at run time only), checked on production classes only. Every rule must
 * match classes ({@code allowEmptyShould(false)}): a rule naming a package that does not exist, or one
 * that was renamed, fails instead of passing on nothing. A module added later gets its rules here.
 */
@AnalyzeClasses(packages = "dev.dal", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    /** Every backend module's base package; none may depend on another. */
    private static final String[] BACKENDS = {"dev.dal.file", "dev.dal.postgres", "dev.dal.mongo", "dev.dal.neo4j"};

    /** Driver and framework packages a backend may use and the API may not. */
    private static final String[] DRIVERS = {
        "org.postgresql..", "org.jdbi..", "com.zaxxer..", "liquibase..", "com.mongodb..", "org.bson..", "org.neo4j.."
    };

    /** Library modules: they report through exceptions and SLF4J, never the console or JUL. */
    private static final String[] LIBRARY_PACKAGES = {
        "dev.dal.api..",
        "dev.dal.dualwrite..",
        "dev.dal.metrics..",
        "dev.dal.file..",
        "dev.dal.postgres..",
        "dev.dal.mongo..",
        "dev.dal.neo4j..",
        "dev.dal.cdi..",
        "dev.dal.testkit..",
        "dev.dal.test..",
        "dev.dal.migration",
        "dev.dal.migration.internal.."
    };

    /** Every backend, as package patterns: what the API, the CDI producer and the migration tool may not name. */
    private static final String[] BACKEND_PACKAGES =
            Arrays.stream(BACKENDS).map(b -> b + "..").toArray(String[]::new);

    // ---- 1. the API is only contract ----

    @ArchTest
    static final ArchRule apiNamesNoDriverOrBackend = noClasses()
            .that()
            .resideInAPackage("dev.dal.api..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(concat(
                    DRIVERS,
                    "dev.dal.file..",
                    "dev.dal.postgres..",
                    "dev.dal.mongo..",
                    "dev.dal.neo4j..",
                    "dev.dal.migration..",
                    "dev.dal.testkit.."))
            .because("dal-api depends on Jackson only and never names a driver type");

    @ArchTest
    static final ArchRule apiDependsOnJavaJacksonAndSlf4jOnly = classes()
            .that()
            .resideInAPackage("dev.dal.api..")
            .should()
            .onlyDependOnClassesThat()
            .resideInAnyPackage("java..", "com.fasterxml.jackson..", "org.slf4j..", "dev.dal.api..")
            .because("dal-api depends on Jackson and the SLF4J API only");

    /** The factory reaches the decorator through the {@code DualWriteComposer} SPI, never by name. */
    @ArchTest
    static final ArchRule apiNamesNoDualWrite = noClasses()
            .that()
            .resideInAPackage("dev.dal.api..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("dev.dal.dualwrite..")
            .because("dual-write is a module of its own that dal-api finds through its SPI");

    // ---- 1b. the test fixtures reach servers, not backends ----

    /**
     * The fixtures know a backend only by its storage type and settings, so each backend's own tests can use its
     * fixture without a cycle between the two jars.
     */
    @ArchTest
    static final ArchRule testFixturesNameNoBackend = noClasses()
            .that()
            .resideInAPackage("dev.dal.test..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                    concat(BACKEND_PACKAGES, "dev.dal.testkit..", "dev.dal.dualwrite..", "dev.dal.migration.."))
            .because("a store reaches its test server through DataAccessFactory and settings only");

    // ---- 1a. the dual-write decorator is built on the API alone ----

    @ArchTest
    static final ArchRule dualWriteDependsOnTheApiOnly = classes()
            .that()
            .resideInAPackage("dev.dal.dualwrite..")
            .should()
            .onlyDependOnClassesThat()
            .resideInAnyPackage(
                    "java..",
                    "com.fasterxml.jackson..",
                    "org.slf4j..",
                    "io.micrometer..",
                    "dev.dal.api",
                    "dev.dal.api.bulk..",
                    "dev.dal.api.spi..",
                    "dev.dal.dualwrite..")
            .because("dal-dualwrite decorates any backend through the contract, the bulk interface and the SPI;"
                    + " Micrometer is optional");

    /**
     * Micrometer is an optional dependency: only the dual-write meter binding may name it, and
     * only after checking that it is on the class path.
     */
    @ArchTest
    static final ArchRule onlyTheMeterBindingNamesMicrometer = noClasses()
            .that()
            .resideInAPackage("dev.dal..")
            .and()
            .resideOutsideOfPackage("dev.dal.metrics..")
            .and()
            .haveSimpleNameNotContaining("Micrometer")
            .and()
            .doNotHaveSimpleName("MetricsContract")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("io.micrometer..")
            .because("Dal must load without Micrometer on the class path");

    @ArchTest
    static final ArchRule onlyTheGuardedBindingLoadsTheMicrometerMeters = classes()
            .that()
            .haveSimpleName("MicrometerMeters")
            .should()
            .onlyHaveDependentClassesThat(JavaClass.Predicates.simpleNameStartingWith("MeterBinding")
                    .or(JavaClass.Predicates.simpleNameStartingWith("MicrometerMeters")))
            .because("MeterBinding checks that Micrometer is on the class path before it touches MicrometerMeters");

    /** dal-metrics turns the API's store events into meters and reaches no backend. */
    @ArchTest
    static final ArchRule metricsDependsOnTheSpiAndMicrometerOnly = classes()
            .that()
            .resideInAPackage("dev.dal.metrics..")
            .should()
            .onlyDependOnClassesThat()
            .resideInAnyPackage("java..", "io.micrometer..", "dev.dal.api.spi..", "dev.dal.metrics..")
            .because("dal-metrics observes every store through the StoreObserver SPI alone");

    // ---- 1b. the CDI producer and the migration tool reach stores only through the API ----

    @ArchTest
    static final ArchRule cdiNamesNoBackend = noClasses()
            .that()
            .resideInAPackage("dev.dal.cdi..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(concat(DRIVERS, BACKEND_PACKAGES))
            .because("the CDI producer builds stores from configuration through DataAccessFactory");

    /** Portable across containers: the CDI API only, no Weld or other container types. */
    @ArchTest
    static final ArchRule cdiUsesTheCdiApiOnly = classes()
            .that()
            .resideInAPackage("dev.dal.cdi..")
            .should()
            .onlyDependOnClassesThat()
            .resideInAnyPackage(
                    "java..",
                    "jakarta.enterprise..",
                    "jakarta.inject..",
                    "jakarta.annotation..",
                    "org.slf4j..",
                    "dev.dal.api..",
                    "dev.dal.cdi..")
            .because("dal-cdi must run in any CDI 4.1 container, not only Weld");

    @ArchTest
    static final ArchRule onlyDalCdiNamesCdi = noClasses()
            .that()
            .resideOutsideOfPackage("dev.dal.cdi..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("jakarta.enterprise..", "jakarta.inject..")
            .because("an application that does not use CDI must not pay for it");

    @ArchTest
    static final ArchRule migrationNamesNoBackend = noClasses()
            .that()
            .resideInAPackage("dev.dal.migration..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(concat(DRIVERS, BACKEND_PACKAGES))
            .because("dal-migration depends on the backends at run time only");

    // ---- 2. no backend depends on another ----

    @ArchTest
    static final ArchRule fileStandsAlone = backendStandsAlone("dev.dal.file");

    @ArchTest
    static final ArchRule postgresStandsAlone = backendStandsAlone("dev.dal.postgres");

    @ArchTest
    static final ArchRule mongoStandsAlone = backendStandsAlone("dev.dal.mongo");

    @ArchTest
    static final ArchRule neo4jStandsAlone = backendStandsAlone("dev.dal.neo4j");

    /**
     * A backend's public face (its provider) names only the API; the driver stays behind
     * {@code internal}. One deliberate exception: a Neo4j provider can be wired with the
     * application's own {@code Driver} (explicit wiring, like handing Jdbi a DataSource).
     */
    @ArchTest
    static final ArchRule driversStayBehindInternal = noClasses()
            .that()
            .resideInAnyPackage(BACKENDS)
            .should()
            .dependOnClassesThat(JavaClass.Predicates.resideInAnyPackage(DRIVERS)
                    .and(DescribedPredicate.not(HasName.Predicates.name("org.neo4j.driver.Driver"))))
            .because("a backend's public classes are SPI glue; driver types live in its internal package");

    @ArchTest
    static final ArchRule testServersStayOutOfMainCode = noClasses()
            .that()
            .resideInAPackage("dev.dal..")
            .and()
            .resideOutsideOfPackage("dev.dal.test..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("de.bwaldvogel..", "org.testcontainers..", "org.neo4j.harness..", "io.zonky..")
            .because("in-process test servers are test dependencies only, in the dal-*-test fixtures");

    private static ArchRule backendStandsAlone(String backend) {
        String[] others = Arrays.stream(BACKENDS)
                .filter(b -> !b.equals(backend))
                .map(b -> b + "..")
                .toArray(String[]::new);
        return noClasses()
                .that()
                .resideInAPackage(backend + "..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(others)
                .because("no backend module depends on another backend module")
                .allowEmptyShould(false);
    }

    // ---- 3. internals stay inside their module ----

    @ArchTest
    static final ArchRule apiInternalsStayInTheApi = internalsStayIn("dev.dal.api");

    @ArchTest
    static final ArchRule dualWriteInternalsStayInDualWrite = internalsStayIn("dev.dal.dualwrite");

    @ArchTest
    static final ArchRule fileInternalsStayInTheFileStore = internalsStayIn("dev.dal.file");

    @ArchTest
    static final ArchRule postgresInternalsStayInPostgres = internalsStayIn("dev.dal.postgres");

    @ArchTest
    static final ArchRule mongoInternalsStayInMongo = internalsStayIn("dev.dal.mongo");

    @ArchTest
    static final ArchRule neo4jInternalsStayInNeo4j = internalsStayIn("dev.dal.neo4j");

    @ArchTest
    static final ArchRule migrationInternalsStayInMigration = internalsStayIn("dev.dal.migration");

    @ArchTest
    static final ArchRule cdiInternalsStayInCdi = internalsStayIn("dev.dal.cdi");

    private static ArchRule internalsStayIn(String module) {
        return classes()
                .that()
                .resideInAPackage(module + ".internal..")
                .should()
                .onlyHaveDependentClassesThat()
                .resideInAPackage(module + "..")
                .because("packages named internal are not API (STYLE.md rule 2)")
                .allowEmptyShould(false);
    }

    /** The same rule for any module, so that a module added later is covered without editing this class. */
    @ArchTest
    static final ArchRule everyInternalPackageIsUsedOnlyByItsOwnModule = classes()
            .that()
            .resideInAPackage("dev.dal.*.internal..")
            .should(beUsedOnlyFromTheirOwnModule())
            .allowEmptyShould(false);

    private static final Pattern MODULE = Pattern.compile("^(dev\\.dal\\.[^.]+)\\.");

    private static ArchCondition<JavaClass> beUsedOnlyFromTheirOwnModule() {
        return new ArchCondition<>("be used only from their own module's base package") {
            @Override
            public void check(JavaClass internal, ConditionEvents events) {
                String module = moduleOf(internal.getPackageName());
                for (Dependency dependency : internal.getDirectDependenciesToSelf()) {
                    JavaClass user = dependency.getOriginClass();
                    if (!module.equals(moduleOf(user.getPackageName() + "."))) {
                        events.add(SimpleConditionEvent.violated(dependency, dependency.getDescription()));
                    }
                }
            }
        };
    }

    private static String moduleOf(String packageName) {
        Matcher m = MODULE.matcher(packageName + ".");
        return m.find() ? m.group(1) : packageName;
    }

    // ---- 4. libraries neither print nor use java.util.logging ----

    /**
     * Classes whose job is the console or JUL, each named with its reason: the kit's {@code LogCapture}
     * captures stdout, stderr and JUL to prove no user value is logged; the kit's {@code SkippedContractsReport}
     * prints the skipped-contracts summary into the build log; {@code PostgresDriverLogging} quiets the PostgreSQL
     * driver's own JUL logger, and {@code PostgresConnector} implements {@code java.sql.Driver.getParentLogger()}.
     */
    private static final DescribedPredicate<JavaClass> EXEMPT_FROM_THE_LOGGING_RULES =
            JavaClass.Predicates.belongToAnyOf(
                            dev.dal.testkit.LogCapture.class, dev.dal.testkit.SkippedContractsReport.class)
                    .or(JavaClass.Predicates.resideInAPackage("dev.dal.postgres.internal")
                            .and(JavaClass.Predicates.simpleNameStartingWith("PostgresDriverLogging")
                                    .or(JavaClass.Predicates.simpleNameStartingWith("PostgresConnector"))))
                    .as("the named console/JUL exemptions");

    private static JavaClasses libraries(JavaClasses classes) {
        return classes.that(JavaClass.Predicates.resideInAnyPackage(LIBRARY_PACKAGES)
                .and(DescribedPredicate.not(EXEMPT_FROM_THE_LOGGING_RULES)));
    }

    @ArchTest
    static void librariesDoNotUseJavaUtilLogging(JavaClasses classes) {
        GeneralCodingRules.NO_CLASSES_SHOULD_USE_JAVA_UTIL_LOGGING.check(libraries(classes));
    }

    @ArchTest
    static void librariesDoNotWriteToStandardStreams(JavaClasses classes) {
        GeneralCodingRules.NO_CLASSES_SHOULD_ACCESS_STANDARD_STREAMS.check(libraries(classes));
    }

    /**
     * {@code NO_CLASSES_SHOULD_USE_JAVA_UTIL_LOGGING} only catches a logger kept in a field; this
     * also catches {@code Logger.getLogger(..).info(..)} called inline.
     */
    @ArchTest
    static final ArchRule librariesDoNotNameJavaUtilLogging = noClasses()
            .that()
            .resideInAnyPackage(LIBRARY_PACKAGES)
            .and(DescribedPredicate.not(EXEMPT_FROM_THE_LOGGING_RULES))
            .should()
            .dependOnClassesThat()
            .resideInAPackage("java.util.logging..")
            .because("library modules log through SLF4J, if at all");

    private static String[] concat(String[] first, String... rest) {
        String[] all = Arrays.copyOf(first, first.length + rest.length);
        System.arraycopy(rest, 0, all, first.length, rest.length);
        return all;
    }
}
