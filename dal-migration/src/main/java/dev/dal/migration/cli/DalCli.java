package dev.dal.migration.cli;

import dev.dal.api.ConfigurationException;
import dev.dal.api.DataAccessException;
import dev.dal.api.NotFoundException;
import dev.dal.api.UnavailableException;
import dev.dal.api.ValidationException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code dal} command. Exit status: 0 success; 1 the stores differ or a store is down (for
 * {@code health}, unreachable included), or a legacy import used nothing of its input; 2 bad
 * usage; 3 bad configuration or input; 4 a store failed or could not be reached.
 */
@Command(
        name = "dal",
        mixinStandardHelpOptions = true,
        version = "dal 0.1.0",
        description = "Dal's storage tool: demo, health, schema migrations, copy, verify, repair, export/import,"
                + " legacy imports.",
        footer = {
            "",
            "STORE is a URI; a password goes in it or in DB_PASSWORD / NEO4J_PASSWORD",
            "and is never printed:",
            "  file:./data                              the file store in a directory",
            "  postgresql://user[:pw]@host[:5432]/db    PostgreSQL (or postgres://)",
            "  mongodb://[user[:pw]@]host[:27017]/db    MongoDB (or mongodb+srv://)",
            "  neo4j://[user[:pw]@]host[:7687][/db]     Neo4j (or bolt://, neo4j+s://,",
            "                                           bolt+s://)",
            "Without a URI the environment names the store (DATA_STORAGE_TYPE, DATA_DIR,",
            "DATABASE_URL, ...); by default the file store in ./data.",
            "",
            "Schemas change only when asked: health, verify, export and a copy's source",
            "never migrate (verify, export and copy refuse a store whose schema is missing",
            "or older); a copy's, import's or repair's target is migrated when it has no",
            "schema yet, or with --migrate; `dal schema migrate STORE` does it by hand.",
            "A file: store that is read must exist. Timeouts come from the environment",
            "(DB_CONNECT_TIMEOUT 5 s, DAL_HEALTH_TIMEOUT 2 s, DB_QUERY_TIMEOUT 30 s, ...);",
            "health answers within DB_CONNECT_TIMEOUT + DAL_HEALTH_TIMEOUT.",
            "",
            "Exit status: 0 ok; 1 the stores differ or the store is down (health: also",
            "unreachable; import-tinydb, import-json-dir: nothing of the input was",
            "imported); 2 bad usage; 3 bad configuration or input; 4 a store failed or",
            "could not be reached.",
            "",
            "Examples:",
            "  dal demo",
            "  dal copy --from file:./data --to postgresql://dal@db:5432/chat",
            "  dal verify --from file:./data --to mongodb://db:27017/chat",
            "  dal schema status neo4j://neo4j@graph:7687",
            "  dal COMMAND --help"
        },
        subcommands = {
            DemoCommand.class,
            HealthCommand.class,
            SchemaCommand.class,
            PartitionCommand.class,
            CopyCommand.class,
            VerifyCommand.class,
            RepairCommand.class,
            ExportCommand.class,
            ImportCommand.class,
            ImportTinyDbCommand.class,
            ImportJsonDirCommand.class
        })
public final class DalCli {
    /** Success. */
    public static final int OK = 0;
    /** The stores differ, a store is down, or a legacy import used nothing of its input. */
    public static final int DIFFERENT = 1;
    /** Bad configuration or input. */
    public static final int BAD_INPUT = 3;
    /** A store failed or could not be reached. */
    public static final int STORE_FAILED = 4;

    /** Held so the level set in {@link #main} stays (java.util.logging keeps loggers weakly). */
    private static final Logger LIQUIBASE = Logger.getLogger("liquibase");

    private DalCli() {}

    /** @param args the command line */
    public static void main(String[] args) {
        // The bundled slf4j-simple: drivers' and pools' chatter off, the tool's own progress lines on.
        System.setProperty(
                "org.slf4j.simpleLogger.defaultLogLevel",
                System.getProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn"));
        System.setProperty(
                "org.slf4j.simpleLogger.log.dev.dal.migration",
                System.getProperty("org.slf4j.simpleLogger.log.dev.dal.migration", "info"));
        // The Neo4j driver logs each retry and routing failure of an unreachable server with a stack
        // trace, at warn and error; the store's own error (one line) says it without the internals.
        System.setProperty(
                "org.slf4j.simpleLogger.log.org.neo4j",
                System.getProperty("org.slf4j.simpleLogger.log.org.neo4j", "off"));
        // Liquibase (PostgreSQL's schema) logs every step through java.util.logging at INFO; keep its warnings.
        LIQUIBASE.setLevel(Level.WARNING);
        System.exit(run(args));
    }

    /**
     * Runs a command without exiting, for tests and embedding.
     *
     * @param args the command line
     * @return the exit status
     */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new DalCli());
        cli.setExecutionExceptionHandler((e, commandLine, parsed) -> {
            boolean verbose = parsed.hasMatchedOption("--verbose")
                    || parsed.subcommands().stream().anyMatch(p -> p.hasMatchedOption("--verbose"));
            PrintWriter err = commandLine.getErr();
            err.println("dal: " + message(e));
            if (verbose) {
                e.printStackTrace(err);
            }
            err.flush();
            return status(e);
        });
        return cli.execute(args);
    }

    static String message(Throwable e) {
        String text = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (e instanceof UncheckedIOException && e.getCause() != null) {
            text = text + ": " + e.getCause().getMessage();
        }
        return text;
    }

    static int status(Throwable e) {
        if (e instanceof StoreFailure && e.getCause() != null) {
            return status(e.getCause());
        }
        if (e instanceof ConfigurationException
                || e instanceof ValidationException
                || e instanceof NotFoundException
                || e instanceof IllegalArgumentException
                || e instanceof UncheckedIOException) {
            return BAD_INPUT;
        }
        if (e instanceof UnavailableException || e instanceof DataAccessException) {
            return STORE_FAILED;
        }
        return STORE_FAILED;
    }
}
