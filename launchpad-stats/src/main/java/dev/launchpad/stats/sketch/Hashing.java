package dev.launchpad.stats.sketch;

/** 64-bit hashes with full avalanche (MurmurHash3's finaliser), for the distinct-count sketch. */
public final class Hashing {
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

    /** Hash of a double; 0.0 and -0.0 hash alike, and so do all NaNs. */
    public static long hash(double v) {
        return hashBits(Double.doubleToRawLongBits(v));
    }

    /**
     * {@link #hash(double)} of the double with these raw bits. Branch-free (-0.0 and NaNs are made canonical with
     * masks), so that a loop over many values compiles to vector instructions.
     */
    public static long hashBits(long bits) {
        long twice = bits << 1;
        bits &= (twice | -twice) >> 63; // -0.0 (and 0.0) become 0
        long nan = (0x7FF0_0000_0000_0000L - (bits & Long.MAX_VALUE)) >> 63; // all ones for a NaN
        bits = (bits & ~nan) | (CANONICAL_NAN & nan); // every NaN alike, as Double.doubleToLongBits has it
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
