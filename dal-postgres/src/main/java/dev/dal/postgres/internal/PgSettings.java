package dev.dal.postgres.internal;

import dev.dal.api.ConfigurationException;
import dev.dal.api.DalConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Where the PostgreSQL store connects, from {@code DATABASE_URL} (a {@code jdbc:postgresql:} or
 * {@code postgresql://user:password@host:port/db} URL) or from {@code DB_HOST} (one host or a
 * comma-separated list, tried in order, writes only to the primary), {@code DB_PORT} (5432) and
 * {@code DB_NAME}. {@code DB_USER} and {@code DB_PASSWORD} win over credentials in the URL.
 *
 * @param jdbcUrl the URL for the driver, without credentials
 * @param user the user, or {@code null}
 * @param password the password, or {@code null}; never logged
 */
record PgSettings(String jdbcUrl, String user, String password) {

    /** Setting: run the Liquibase changelog when the store opens (default false). */
    static final String DB_AUTO_MIGRATE = "DB_AUTO_MIGRATE";

    static PgSettings from(DalConfig config) {
        Optional<String> url = config.databaseUrl();
        String user = config.dbUser().orElse(null);
        String password = config.dbPassword().orElse(null);
        if (url.isPresent()) {
            return fromUrl(url.get(), user, password);
        }
        String db = config.dbName().orElseThrow(() -> new ConfigurationException(
                "The PostgreSQL store needs " + DalConfig.DATABASE_URL + " or " + DalConfig.DB_NAME + " (with "
                        + DalConfig.DB_HOST + ", default localhost)"));
        List<String> hosts = config.dbHosts().isEmpty() ? List.of("localhost") : config.dbHosts();
        int port = config.dbPort().orElse(5432);
        String hostList = hosts.stream().map(h -> h.contains(":") ? h : h + ":" + port).collect(Collectors.joining(","));
        String jdbc = "jdbc:postgresql://" + hostList + "/" + db + (hosts.size() > 1 ? "?targetServerType=primary" : "");
        return new PgSettings(jdbc, user, password);
    }

    private static PgSettings fromUrl(String url, String user, String password) {
        if (url.startsWith("jdbc:postgresql:")) {
            return new PgSettings(url, user, password);
        }
        if (!url.startsWith("postgresql://") && !url.startsWith("postgres://")) {
            throw new ConfigurationException(DalConfig.DATABASE_URL
                    + " must start with jdbc:postgresql:, postgresql:// or postgres://");
        }
        try {
            URI uri = new URI(url);
            String userInfo = uri.getRawUserInfo();
            if (userInfo != null) {
                String[] parts = userInfo.split(":", 2);
                user = user != null ? user : decode(parts[0]);
                password = password != null ? password : parts.length > 1 ? decode(parts[1]) : null;
            }
            String authority = uri.getRawAuthority();
            String hosts = authority.substring(authority.indexOf('@') + 1);
            String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
            return new PgSettings("jdbc:postgresql://" + hosts + uri.getRawPath() + query, user, password);
        } catch (URISyntaxException | RuntimeException e) {
            throw new ConfigurationException(DalConfig.DATABASE_URL + " is not a valid PostgreSQL URL: "
                    + DalConfig.redact(DalConfig.DATABASE_URL, url));
        }
    }

    private static String decode(String part) {
        return URLDecoder.decode(part, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "PgSettings[" + DalConfig.redact(DalConfig.DATABASE_URL, jdbcUrl) + ", user=" + user + "]";
    }
}
