package dev.dal.api.spi;

import dev.dal.api.ConfigurationException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Objects;

/** Parsing of the server URIs that network backends accept as their store URI. */
public final class ServerUris {
    private ServerUris() {}

    /**
     * Parses a store URI that must name a server host.
     *
     * @param uri the store URI, as given
     * @param shown the same URI as messages may show it: with its password masked
     * @return the parsed URI; its host is not {@code null}
     * @throws ConfigurationException when the URI is malformed or names no host; the message shows
     *     {@code shown} only
     */
    public static URI parse(String uri, String shown) {
        Objects.requireNonNull(uri, "uri");
        URI parsed;
        try {
            parsed = new URI(uri);
        } catch (URISyntaxException e) {
            throw new ConfigurationException("Store " + shown + " is not a valid URI: " + e.getReason());
        }
        if (parsed.getHost() == null) {
            throw new ConfigurationException("Store " + shown + " names no host");
        }
        return parsed;
    }
}
