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
 * <p>{@code DB_READ_HOSTS} (comma-separated, optional) names replicas: reads outside a transaction
 * then go to a second pool that prefers them ({@code targetServerType=preferSecondary}, load
 * balanced), and fall back to the primary when none answers. Such reads may lag the primary.
 *
 * @param jdbcUrl the URL for the driver, without credentials
 * @param user the user, or {@code null}
 * @param password the password, or {@code null}; never logged
 * @param readJdbcUrl the URL of the read replicas, or {@code null} when reads go to the primary
 */
record PgSettings(String jdbcUrl, String user, String password, String readJdbcUrl) {

    /** Setting: run the Liquibase changelog when the store opens (default false). */
    static final String DB_AUTO_MIGRATE = "DB_AUTO_MIGRATE";
    /** Setting: replica hosts for reads outside transactions (optional). */
    static final String DB_READ_HOSTS = "DB_READ_HOSTS";

    static PgSettings from(DalConfig config) {
        PgSettings primary = primary(config);
        Optional<String> readHosts = config.setting(DB_READ_HOSTS);
        if (readHosts.isEmpty()) {
            return primary;
        }
        int port = config.dbPort().orElse(5432);
        String hosts = java.util.Arrays.stream(readHosts.get().split(",")).map(String::trim).filter(h -> !h.isEmpty())
                .map(h -> h.contains(":") ? h : h + ":" + port).collect(Collectors.joining(","));
        if (hosts.isEmpty()) {
            throw new ConfigurationException(DB_READ_HOSTS + " must name at least one host");
        }
        String path = primary.jdbcUrl().replaceFirst("^jdbc:postgresql://[^/]*", "");
        String database = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
        return new PgSettings(primary.jdbcUrl(), primary.user(), primary.password(), "jdbc:postgresql://" + hosts
                + database + "?targetServerType=preferSecondary&loadBalanceHosts=true");
    }

    private static PgSettings primary(DalConfig config) {
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
        return new PgSettings(jdbc, user, password, null);
    }

    private static PgSettings fromUrl(String url, String user, String password) {
        if (url.startsWith("jdbc:postgresql:")) {
            return new PgSettings(url, user, password, null);
        }
        if (!url.startsWith("postgresql://") && !url.startsWith("postgres://")) {
            throw new ConfigurationException(DalConfig.DATABASE_URL
                    + " must start with jdbc:postgresql:, postgresql:// or postgres://");
        }
        try {
            URI uri = new URI(url);
            String authority = uri.getRawAuthority();
            // Several hosts make the authority "registry based": URI then reports no user info itself.
            String userInfo = authority.contains("@") ? authority.substring(0, authority.lastIndexOf('@')) : null;
            if (userInfo != null) {
                String[] parts = userInfo.split(":", 2);
                user = user != null ? user : decode(parts[0]);
                password = password != null ? password : parts.length > 1 ? decode(parts[1]) : null;
            }
            String hosts = authority.substring(authority.lastIndexOf('@') + 1);
            String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
            return new PgSettings("jdbc:postgresql://" + hosts + uri.getRawPath() + query, user, password, null);
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
        return "PgSettings[" + DalConfig.redact(DalConfig.DATABASE_URL, jdbcUrl) + ", user=" + user
                + (readJdbcUrl == null ? "" : ", reads=" + readJdbcUrl) + "]";
    }
}
