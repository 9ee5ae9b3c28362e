package dev.launchpad.server.serving;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ids for served requests that the client did not name: UUID version 7 (RFC 9562) — 48 bits of Unix time in
 * milliseconds, then 74 random bits. Ids made later sort later, so the logged predictions that feedback is
 * joined by are appended to their index rather than scattered over it (random UUIDs made each stored
 * prediction cost about three times as much). Ids are unique, not secret: nothing is authorised by one.
 */
public final class RequestIds {
    private RequestIds() {
    }

    /** A new id for a request answered now. */
    public static String next() {
        return of(System.currentTimeMillis(), ThreadLocalRandom.current());
    }

    static String of(long epochMillis, java.util.random.RandomGenerator random) {
        long high = (epochMillis << 16) | 0x7000L | (random.nextInt() & 0x0FFFL);
        long low = (random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
        return new UUID(high, low).toString();
    }
}
