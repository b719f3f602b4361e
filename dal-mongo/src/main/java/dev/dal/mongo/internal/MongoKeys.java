package dev.dal.mongo.internal;

/**
 * Encodes the keys of user-supplied JSON objects (metadata, profiles, memory values) so that MongoDB
 * stores them as plain data: a key starting with {@code $} would read as an operator and a key with
 * a {@code .} as a path. {@code %} becomes {@code %25}, {@code $} becomes {@code %24}, {@code .}
 * becomes {@code %2E}, and the empty key becomes a lone {@code %} (which encoding never produces
 * otherwise). Decoding reverses it exactly; keys without these characters are stored unchanged.
 */
final class MongoKeys {
    private MongoKeys() {}

    static String encode(String key) {
        if (key.isEmpty()) {
            return "%";
        }
        if (key.indexOf('%') < 0 && key.indexOf('$') < 0 && key.indexOf('.') < 0) {
            return key;
        }
        StringBuilder out = new StringBuilder(key.length() + 8);
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            switch (c) {
                case '%' -> out.append("%25");
                case '$' -> out.append("%24");
                case '.' -> out.append("%2E");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    static String decode(String stored) {
        if (stored.indexOf('%') < 0) {
            return stored;
        }
        if (stored.equals("%")) {
            return "";
        }
        StringBuilder out = new StringBuilder(stored.length());
        for (int i = 0; i < stored.length(); i++) {
            char c = stored.charAt(i);
            if (c == '%' && i + 2 < stored.length()) {
                String code = stored.substring(i + 1, i + 3);
                switch (code) {
                    case "25" -> out.append('%');
                    case "24" -> out.append('$');
                    case "2E" -> out.append('.');
                    default -> {
                        out.append(c);
                        continue;
                    }
                }
                i += 2;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
