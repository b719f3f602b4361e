package dev.dal.file;

import dev.dal.api.DalConfig;
import dev.dal.api.DataAccess;
import dev.dal.api.spi.DataAccessProvider;
import dev.dal.api.spi.SchemaMigrator;
import dev.dal.api.spi.Setting;
import dev.dal.file.internal.FileSettings;
import dev.dal.file.internal.FileStores;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The file store, Dal's embedded default ({@code DATA_STORAGE_TYPE=file}, alias {@code json}).
 * Keeps everything under {@code DATA_DIR} (default {@code ./data}) as JSON and NDJSON files; safe
 * for many threads and for several processes sharing one directory; every acknowledged write is
 * on disk, and {@code inTransaction} is all-or-nothing even across a crash. Its store URI is
 * {@code file:PATH}.
 */
public final class FileStoreProvider implements DataAccessProvider {

    /** Creates the provider; {@link java.util.ServiceLoader} calls this. */
    public FileStoreProvider() {
        // stateless
    }

    @Override
    public String name() {
        return "file";
    }

    @Override
    public Set<String> aliases() {
        return Set.of("json", "files");
    }

    /** Declares {@code DATA_DIR} (default {@code ./data}). */
    @Override
    public List<Setting<?>> settings() {
        return FileSettings.declared();
    }

    @Override
    public Optional<Map<String, String>> settingsForUri(String uri, Map<String, String> environment) {
        return FileSettings.forUri(uri);
    }

    @Override
    public List<String> uriForms() {
        return List.of("file:PATH");
    }

    @Override
    public String location(DalConfig config) {
        return "file:" + FileSettings.from(config.view(this)).dataDir();
    }

    @Override
    public DataAccess create(DalConfig config) {
        return FileStores.open(config, FileSettings.from(config.view(this)));
    }

    /**
     * The file store's schema is the version of its on-disk layout, recorded in a marker file in
     * {@code DATA_DIR}: version 1 is the only one so far, and a directory without the marker holds it
     * (it opens as it is; {@code migrate} records the marker). Record versions need no migration
     * either: a record written before versions existed has none and reads as version 1.
     */
    @Override
    public SchemaMigrator schemaMigrator(DalConfig config) {
        return FileStores.migrator(config, FileSettings.from(config.view(this)));
    }
}
