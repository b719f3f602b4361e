package dev.dal.migration.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessFactory;
import dev.dal.api.JsonValues;
import dev.dal.migration.StoreUri;
import java.io.PrintStream;
import picocli.CommandLine.Option;

/** Options every command has, and what commands share: opening stores, printing results. */
final class CommonOptions {
    @Option(names = "--json", description = "Print the result as one JSON object, for scripts.")
    boolean json;

    @Option(names = "--verbose", description = "Show stack traces of errors.")
    boolean verbose;

    @Option(
            names = {"-h", "--help"},
            usageHelp = true,
            description = "Show this command's help and exit.")
    boolean help;

    PrintStream out = System.out;

    /** @param uri a store URI, or {@code null} for the store the environment names */
    static StoreUri store(String uri) {
        DalConfig env = DalConfig.fromEnvironment();
        return uri == null ? StoreUri.fromConfig(env) : StoreUri.parse(uri, env.settings());
    }

    static DataAccess open(StoreUri store) {
        return DataAccessFactory.create(store.config());
    }

    static int batchSize(Integer option) {
        return option != null ? option : DalConfig.fromEnvironment().migrationBatchSize();
    }

    void print(JsonNode result, String text) {
        out.println(json ? JsonValues.write(result) : text);
        out.flush();
    }
}
