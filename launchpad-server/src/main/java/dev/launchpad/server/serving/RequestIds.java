package dev.launchpad.server.serving;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.UUID;

/**
 * Ids for served requests that the client did not name: UUID version 7 (RFC 9562) — 48 bits of Unix time in
 * milliseconds, then 74 random bits. Ids made later sort later, so the logged predictions that feedback is
 * joined by are appended to their index rather than scattered over it (random UUIDs made each stored
 * prediction cost about three times as much). The random bits come from a secure generator, so one client's
 * ids do not tell another's (feedback is joined by them); a few generators shared by thread keep serving threads
 * from queueing on one.
 */
public final class RequestIds {
    private static final SecureRandom[] SOURCES = new SecureRandom[8];

    static {
        for (int i = 0; i < SOURCES.length; i++) {
            SOURCES[i] = drbg();
        }
    }

    private RequestIds() {
    }

    private static SecureRandom drbg() {
        try {
            return SecureRandom.getInstance("DRBG");
        } catch (NoSuchAlgorithmException e) {
            return new SecureRandom();
        }
    }

    /** A new id for a request answered now. */
    public static String next() {
        var source = SOURCES[(int) (Thread.currentThread().threadId() & (SOURCES.length - 1))];
        return of(System.currentTimeMillis(), source);
    }

    static String of(long epochMillis, java.util.random.RandomGenerator random) {
        // one request for all ten random bytes: a SecureRandom's nextInt and nextLong each run the generator again
        // (three runs instead of one)
        var bytes = new byte[10];
        random.nextBytes(bytes);
        long rest = 0;
        for (int i = 2; i < 10; i++) {
            rest = (rest << 8) | (bytes[i] & 0xFF);
        }
        long high = (epochMillis << 16) | 0x7000L | (((bytes[0] & 0x0FL) << 8) | (bytes[1] & 0xFF));
        long low = (rest & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
        return new UUID(high, low).toString();
    }
}
