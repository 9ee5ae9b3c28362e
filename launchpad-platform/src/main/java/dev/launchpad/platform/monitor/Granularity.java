package dev.launchpad.platform.monitor;

import java.util.Locale;

/** The sizes of profile windows: one-minute windows, rolled up into hours and days (UTC). */
public enum Granularity {
    MINUTE(60_000L), HOUR(3_600_000L), DAY(86_400_000L);

    private final long millis;

    Granularity(long millis) {
        this.millis = millis;
    }

    public long millis() {
        return millis;
    }

    /** The start of the window holding {@code epochMillis}. */
    public long floor(long epochMillis) {
        return Math.floorDiv(epochMillis, millis) * millis;
    }

    /** The first window boundary at or after {@code epochMillis} (itself when it is one). */
    public long ceil(long epochMillis) {
        return -Math.floorDiv(-epochMillis, millis) * millis;
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Granularity of(String id) {
        for (var g : values()) {
            if (g.id().equalsIgnoreCase(id)) {
                return g;
            }
        }
        throw dev.launchpad.core.error.LaunchpadException.invalid("Unknown granularity '" + id
                + "'; use minute, hour or day.");
    }
}
