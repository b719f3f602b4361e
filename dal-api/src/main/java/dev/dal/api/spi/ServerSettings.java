package dev.dal.api.spi;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The settings with which every network backend that reads them names its server the same way:
 * {@code DB_HOST} (one host or a comma-separated list, each {@code host} or {@code host:port}),
 * {@code DB_PORT} (the port of a host that names none; each backend has its own default) and
 * {@code DB_NAME} (the database). A backend that reads them lists them among its declared settings.
 */
public final class ServerSettings {
    /** The server's host, or a comma-separated list of hosts; each {@code host} or {@code host:port}. */
    public static final Setting<List<String>> DB_HOST =
            Setting.list("DB_HOST", "host").locating();
    /** The port of a {@link #DB_HOST} host that names none; the backend's default port when not set. */
    public static final Setting<Optional<Integer>> DB_PORT =
            Setting.optionalWholeNumber("DB_PORT", 1, 65_535).locating();
    /** The database's name. */
    public static final Setting<Optional<String>> DB_NAME =
            Setting.text("DB_NAME").locating();

    private ServerSettings() {}

    /**
     * Gives each host that names no port the port of {@link #DB_PORT}, or the backend's default.
     *
     * @param view the backend's view of the configuration, which declares {@link #DB_HOST} and {@link #DB_PORT}
     * @param hosts the hosts, each {@code host} or {@code host:port}
     * @param defaultPort the backend's port when {@link #DB_PORT} is not set
     * @return each host as {@code host:port}, in the given order
     */
    public static List<String> withPorts(SettingsView view, List<String> hosts, int defaultPort) {
        Objects.requireNonNull(hosts, "hosts");
        int port = view.get(DB_PORT).orElse(defaultPort);
        return hosts.stream().map(h -> h.contains(":") ? h : h + ":" + port).toList();
    }
}
