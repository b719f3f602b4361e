package dev.dal.api;

/**
 * Run in a child JVM by {@link DalConfigTest}: prints what {@link DalConfig#fromEnvironment()}
 * reads for the key given as argument and for the same key with {@code _ENV_ONLY} appended.
 */
final class EnvironmentProbe {
    private EnvironmentProbe() {}

    public static void main(String[] args) {
        DalConfig config = DalConfig.fromEnvironment();
        System.out.print(config.setting(args[0]).orElse("<unset>") + "|"
                + config.setting(args[0] + "_ENV_ONLY").orElse("<unset>"));
    }
}
