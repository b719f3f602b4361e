package dev.dal.file;

import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.DataAccessFactory;
import dev.dal.testkit.StoreProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.stream.Stream;

/** Opens file stores in fresh temporary directories and deletes them all at the end. */
final class TempFileStores implements StoreProvider {
    private final Path base;
    private Path current;
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
        current = base.resolve("store-" + (counter++));
        return open(current, clock);
    }

    @Override
    public DataAccess reopen(Clock clock) {
        return open(current, clock);
    }

    static DataAccess open(Path dir, Clock clock) {
        return DataAccessFactory.create(DalConfig.builder().storageType("file").dataDir(dir).clock(clock).build());
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
