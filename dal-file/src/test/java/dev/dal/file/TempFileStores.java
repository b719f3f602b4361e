package dev.dal.file;

import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessFactory;
import dev.dal.testkit.StoreProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/** Opens file stores in fresh temporary directories and deletes them all at the end. */
final class TempFileStores implements StoreProvider {
    private final Path base;
    private Path current;
    private Map<String, String> currentSettings = Map.of();
    private int counter;

    TempFileStores() {
        try {
            base = Files.createTempDirectory("dal-file-kit");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public DataAccess openEmpty(Clock clock) {
        return openEmpty(clock, Map.of(), null);
    }

    /** Applies the settings (the kit's short {@code DB_QUERY_TIMEOUT}); {@code via} has no meaning: no network. */
    @Override
    public DataAccess openEmpty(Clock clock, Map<String, String> settings, InetSocketAddress via) {
        current = base.resolve("store-" + (counter++));
        currentSettings = Map.copyOf(settings);
        return open(current, clock, currentSettings);
    }

    @Override
    public DataAccess reopen(Clock clock) {
        return open(current, clock, currentSettings);
    }

    static DataAccess open(Path dir, Clock clock) {
        return open(dir, clock, Map.of());
    }

    static DataAccess open(Path dir, Clock clock, Map<String, String> settings) {
        return DataAccessFactory.create(DalConfig.builder()
                .settings(settings)
                .storageType("file")
                .setting("DATA_DIR", dir.toString())
                .clock(clock)
                .build());
    }

    @Override
    public void close() {
        try (Stream<Path> walk = Files.walk(base)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
