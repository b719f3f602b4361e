package dev.dal.api.spi;

import java.util.regex.Pattern;

/** The masking rules for settings' values shown in logs, messages and command output. */
final class SettingDisplay {
    private static final Pattern URL_PASSWORD = Pattern.compile("(//[^/:@]*:)[^@/]*@");
    private static final Pattern QUERY_PASSWORD = Pattern.compile("(?i)(password=)[^&;]*");

    private SettingDisplay() {}

    /** @param value a URL or connection string @return it with the user-info password and any password= masked */
    static String maskCredentials(String value) {
        return QUERY_PASSWORD
                .matcher(URL_PASSWORD.matcher(value).replaceAll("$1****@"))
                .replaceAll("$1****");
    }
}
