package dev.dal.cdi;

import jakarta.enterprise.util.AnnotationLiteral;
import jakarta.enterprise.util.Nonbinding;
import jakarta.inject.Qualifier;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.Objects;

/**
 * Injects a named store besides the default one: {@code @Inject @DalStore("archive") DataAccess archive;}.
 *
 * <p>A named store is configured by the same settings as any store, each prefixed
 * {@value #SETTINGS_PREFIX}{@code <NAME>_}, where {@code <NAME>} is the name in upper case with {@code -}
 * turned into {@code _}: {@code DAL_STORE_ARCHIVE_DATA_STORAGE_TYPE} becomes the archive store's
 * {@code DATA_STORAGE_TYPE}, {@code DAL_STORE_ARCHIVE_DATA_DIR} its {@code DATA_DIR},
 * {@code DAL_STORE_ARCHIVE_DATABASE_URL} its {@code DATABASE_URL}, and so on (dual-write settings included).
 * {@code DAL_STORE_<NAME>_DATA_STORAGE_TYPE} is required. The prefixed settings are read from the same
 * configuration as the default store: the application's {@code DalConfig} bean if it produces one, the
 * environment and system properties otherwise. The default store's {@code DAL_*} validation limits
 * ({@code DAL_MAX_CONTENT_LENGTH}, {@code DAL_MAX_JSON_DEPTH}) and clock carry over unless prefixed settings
 * override them; nothing else is inherited.
 *
 * <p>Each name is opened once per container, on its first injection, and closed when the container shuts
 * down; do not close it yourself. A name without configuration, or with a malformed setting, fails the
 * injection with a {@link dev.dal.api.ConfigurationException} naming the settings expected.
 *
 * <p>A name starts with a letter and holds letters, digits, {@code _} and {@code -}.
 */
@Qualifier
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.FIELD, ElementType.PARAMETER, ElementType.METHOD, ElementType.TYPE})
public @interface DalStore {

    /** Prefix of every named store's settings, followed by the name in upper case and {@code _}. */
    String SETTINGS_PREFIX = "DAL_STORE_";

    /**
     * The store's name; not binding for resolution (one producer serves every name), read from the
     * injection point.
     *
     * @return the name, e.g. {@code "archive"}
     */
    @Nonbinding
    String value();

    /** An instance of the qualifier, for programmatic lookup: {@code instance.select(DalStore.Literal.of("archive"))}. */
    final class Literal extends AnnotationLiteral<DalStore> implements DalStore {
        private static final long serialVersionUID = 1L;

        /** The store's name, as {@link DalStore#value()} returns it. */
        private final String value;

        private Literal(String value) {
            this.value = value;
        }

        /**
         * @param name the store's name
         * @return the qualifier naming it
         */
        public static Literal of(String name) {
            return new Literal(Objects.requireNonNull(name, "name"));
        }

        @Override
        public String value() {
            return value;
        }
    }
}
