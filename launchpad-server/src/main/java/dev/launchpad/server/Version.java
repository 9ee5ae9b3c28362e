package dev.launchpad.server;

import java.io.IOException;
import java.util.Properties;

/** Launchpad's version, as the build recorded it. */
public final class Version {
    private Version() {
    }

    public static String current() {
        var props = new Properties();
        try (var in = Version.class.getResourceAsStream("/launchpad-version.properties")) {
            if (in != null) {
                props.load(in);
            }
        } catch (IOException e) {
            return "unknown";
        }
        return props.getProperty("version", "unknown");
    }
}
