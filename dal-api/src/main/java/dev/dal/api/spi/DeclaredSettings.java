package dev.dal.api.spi;

import dev.dal.api.DataAccessFactory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The settings the providers and the dual-write decorator on the class path declare, read once. Configuration uses them to show
 * values safely (a secret any provider declares is masked, also under a prefix such as a dual-write
 * secondary's) and to know which environment variables are Dal's.
 */
public final class DeclaredSettings {
    private static final Logger LOG = LoggerFactory.getLogger(DeclaredSettings.class);

    private DeclaredSettings() {}

    /** Loaded on first use; a provider that cannot be loaded is skipped with a warning. */
    private static final class Holder {
        static final List<Setting<?>> DUAL_WRITE = loadDualWrite();
        static final List<Setting<?>> ALL = load();

        private static List<Setting<?>> load() {
            List<Setting<?>> found = new ArrayList<>();
            try {
                for (DataAccessProvider provider : DataAccessFactory.providers()) {
                    found.addAll(provider.settings());
                }
            } catch (ServiceConfigurationError | RuntimeException e) {
                LOG.warn("A store provider's settings could not be read; its secrets are masked by name only", e);
            }
            found.addAll(DUAL_WRITE);
            return Collections.unmodifiableList(found);
        }

        private static List<Setting<?>> loadDualWrite() {
            List<Setting<?>> found = new ArrayList<>();
            try {
                ServiceLoader.load(DualWriteComposer.class, DeclaredSettings.class.getClassLoader())
                        .forEach(composer -> found.addAll(composer.settings()));
            } catch (ServiceConfigurationError | RuntimeException e) {
                LOG.warn("The dual-write decorator's settings could not be read", e);
            }
            return Collections.unmodifiableList(found);
        }
    }

    /**
     * @return every setting the providers and the dual-write decorator on the class path declare; a name two
     *     of them share appears twice
     */
    public static List<Setting<?>> onClassPath() {
        return Holder.ALL;
    }

    /** @return the settings the dual-write decorator on the class path declares; none without one */
    public static List<Setting<?>> ofDualWrite() {
        return Holder.DUAL_WRITE;
    }

    /**
     * Finds how a setting may be shown. A name matches a declared setting when it equals the declared
     * name or ends with {@code _} and the declared name (a prefixed copy, e.g. a dual-write
     * secondary's); a secret declaration wins over any other.
     *
     * @param name a setting's name
     * @return how its value may be shown, if any provider declares it
     */
    public static Optional<Setting.Shown> shown(String name) {
        String upper = name.toUpperCase(Locale.ROOT);
        Setting.Shown best = null;
        for (Setting<?> s : onClassPath()) {
            boolean matches = upper.equals(s.name()) || upper.endsWith("_" + s.name());
            if (matches && (best == null || rank(s.shown()) > rank(best))) {
                best = s.shown();
            }
        }
        return Optional.ofNullable(best);
    }

    private static int rank(Setting.Shown shown) {
        return switch (shown) {
            case AS_IS -> 0;
            case CREDENTIALS_MASKED -> 1;
            case MASKED -> 2;
        };
    }

    /**
     * @param name a setting's name
     * @return whether a provider on the class path declares a setting of exactly this name
     */
    public static boolean isDeclared(String name) {
        return onClassPath().stream().anyMatch(s -> s.name().equals(name));
    }

    /**
     * @param name a setting's name
     * @return whether a provider declares it as saying where the store is ({@link Setting#locating()})
     */
    public static boolean isLocating(String name) {
        return onClassPath().stream().anyMatch(s -> s.name().equals(name) && s.isLocating());
    }
}
