package dev.dal.file;

import dev.dal.api.spi.DescribedProvider;
import dev.dal.api.spi.StoreDescription;
import dev.dal.file.internal.FileSettings;
import dev.dal.file.internal.FileStores;

/**
 * The file store, Dal's embedded default ({@code DATA_STORAGE_TYPE=file}, aliases {@code json} and
 * {@code files}). Keeps everything under {@code DATA_DIR} (default {@code ./data}) as JSON and NDJSON files;
 * safe for many threads and for several processes sharing one directory; every acknowledged write is on
 * disk, and {@code inTransaction} is all-or-nothing even across a crash. Its store URI is {@code file:PATH}.
 *
 * <p>The file store's schema is the version of its on-disk layout, recorded in a marker file in
 * {@code DATA_DIR}: version 1 is the only one so far, and a directory without the marker holds it (it opens
 * as it is; {@code migrate} records the marker). Record versions need no migration either: a record written
 * before versions existed has none and reads as version 1.
 */
public final class FileStoreProvider extends DescribedProvider {

    /** Creates the provider; {@link java.util.ServiceLoader} calls this. */
    public FileStoreProvider() {
        super(StoreDescription.named("file")
                .aliases("json", "files")
                .settings(FileSettings.declared())
                .uris((uri, environment) -> FileSettings.forUri(uri), "file:PATH")
                .location(config -> "file:" + FileSettings.from(config).dataDir())
                .opens(config -> FileStores.open(config, FileSettings.from(config)))
                .migrates(config -> FileStores.migrator(config, FileSettings.from(config)))
                .build());
    }
}
