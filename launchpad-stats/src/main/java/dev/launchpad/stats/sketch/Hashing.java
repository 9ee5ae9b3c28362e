package dev.launchpad.stats.sketch;

/** 64-bit hashes with full avalanche (MurmurHash3's finaliser), for the distinct-count sketch. */
public final class Hashing {
    private static final long NEGATIVE_ZERO = Double.doubleToRawLongBits(-0.0);
    private static final long CANONICAL_NAN = Double.doubleToLongBits(Double.NaN);

    private Hashing() {
    }

    /** MurmurHash3 fmix64. */
    public static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }

    /** Hash of a double; 0.0 and -0.0 hash alike. */
    public static long hash(double v) {
        long bits = Double.doubleToRawLongBits(v);
        if (bits == NEGATIVE_ZERO) {
            bits = 0;
        } else if (v != v) {
            bits = CANONICAL_NAN; // every NaN alike, as Double.doubleToLongBits has it
        }
        return mix(bits + 0x9E3779B97F4A7C15L);
    }


    /** Hash of a string's UTF-16 code units: FNV-1a over two chars at a time, then {@link #mix}. */
    public static long hash(String s) {
        long h = 0xcbf29ce484222325L;
        int len = s.length();
        int i = 0;
        for (; i + 1 < len; i += 2) {
            h ^= ((long) s.charAt(i) << 16) | s.charAt(i + 1);
            h *= 0x100000001b3L;
        }
        if (i < len) {
            h ^= s.charAt(i);
            h *= 0x100000001b3L;
        }
        return mix(h ^ ((long) len << 40));
    }
}
