package dev.dal.api;

/**
 * A setting is missing, malformed or names something Dal does not know, or the store refuses what
 * the settings say (rejected credentials, an unknown database, a schema older than the code).
 * Raised when the configuration is built or a store is opened, and by a call when the server starts
 * refusing the settings later (a password rotated, a database dropped). The message names the
 * setting, never a secret; retrying does not help.
 */
public class ConfigurationException extends DataAccessException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message names the setting (e.g. {@code DB_PORT}) and what is wrong with it
     */
    public ConfigurationException(String message) {
        super(message);
    }

    /**
     * @param message names the setting and what is wrong with it
     * @param cause the underlying failure
     */
    public ConfigurationException(String message, Throwable cause) {
        super(message, cause);
    }
}
