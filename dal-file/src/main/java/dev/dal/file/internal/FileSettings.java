package dev.dal.file.internal;

import dev.dal.api.ConfigurationException;
import dev.dal.api.DalConfig;
import dev.dal.api.spi.Setting;
import dev.dal.api.spi.SettingsView;
import java.net.URI;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The file store's own settings: {@code DATA_DIR}, the directory that holds everything (default
 * {@code ./data}), and the store URI {@code file:PATH}.
 *
 * @param dataDir the store's root directory
 */
public record FileSettings(Path dataDir) {

    /** The store's root directory, default {@code ./data}. */
    public static final Setting<Path> DATA_DIR =
            Setting.path("DATA_DIR", Paths.get("data")).locating();

    /** @return the settings the file store declares */
    public static List<Setting<?>> declared() {
        return List.of(DATA_DIR);
    }

    /**
     * @param view the provider's view of the configuration
     * @return the checked settings
     * @throws ConfigurationException naming the setting at fault
     */
    public static FileSettings from(SettingsView view) {
        return new FileSettings(view.get(DATA_DIR));
    }

    /**
     * @param config the configuration
     * @return the checked settings
     * @throws ConfigurationException naming the setting at fault
     */
    public static FileSettings from(DalConfig config) {
        return from(SettingsView.of(config, declared()));
    }

    /**
     * The settings a {@code file:PATH} URI names ({@code file:./data}, {@code file:/var/dal},
     * {@code file:///var/dal}).
     *
     * @param uri the URI
     * @return {@code DATA_DIR}, or empty when the scheme is not {@code file}
     * @throws ConfigurationException when the URI names no directory
     */
    public static Optional<Map<String, String>> forUri(String uri) {
        if (!uri.regionMatches(true, 0, "file:", 0, "file:".length())) {
            return Optional.empty();
        }
        String path = uri.substring("file:".length());
        if (path.startsWith("//")) {
            path = URI.create(uri).getPath();
        }
        if (path == null || path.isBlank()) {
            throw new ConfigurationException("Store " + uri + ": file: needs a directory, e.g. file:./data");
        }
        return Optional.of(Map.of(DATA_DIR.name(), path));
    }
}
