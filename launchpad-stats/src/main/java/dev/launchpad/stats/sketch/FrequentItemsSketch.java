package dev.launchpad.stats.sketch;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Frequent items (Misra–Gries with batched decrements): at most {@code capacity} counters; when full,
 * the median counter value is subtracted from all and non-positive counters are dropped. Each value's
 * true count lies in {@code [counter, counter + maximumError()]}, and {@code maximumError() ≤ 2n / capacity}.
 * Exact (error 0) while there are at most {@code capacity} distinct values. Merge adds counters and
 * error offsets, then purges.
 */
public final class FrequentItemsSketch {
    /** Default number of counters. */
    public static final int DEFAULT_CAPACITY = 256;
    /** The largest capacity a sketch may be read with. */
    public static final int MAX_CAPACITY = 65_536;

    private final int capacity;
    private final HashMap<String, long[]> counters;
    private long n;
    private long maxError;

    public FrequentItemsSketch(int capacity) {
        if (capacity < 4) {
            throw new IllegalArgumentException("capacity must be ≥ 4, got " + capacity);
        }
        this.capacity = capacity;
        this.counters = new HashMap<>(capacity * 2);
    }

    public FrequentItemsSketch() {
        this(DEFAULT_CAPACITY);
    }

    /** Counts one occurrence of a non-null value. */
    public void update(String value) {
        update(value, 1);
    }

    /** Counts {@code count} occurrences of a non-null value. */
    public void update(String value, long count) {
        if (value == null) {
            throw new IllegalArgumentException("frequent items cannot take null");
        }
        if (count < 0) {
            throw new IllegalArgumentException("count must be ≥ 0, got " + count);
        }
        if (count == 0) {
            return;
        }
        n += count;
        long[] c = counters.get(value);
        if (c != null) {
            c[0] += count;
            return;
        }
        counters.put(value, new long[] {count});
        if (counters.size() > capacity) {
            purge();
        }
    }

    private void purge() {
        long[] values = new long[counters.size()];
        int i = 0;
        for (long[] c : counters.values()) {
            values[i++] = c[0];
        }
        Arrays.sort(values);
        long median = values[values.length / 2];
        counters.values().removeIf(c -> (c[0] -= median) <= 0);
        maxError += median;
    }

    /** Folds {@code other} into this sketch (other is unchanged). */
    public void merge(FrequentItemsSketch other) {
        n += other.n;
        maxError += other.maxError;
        for (Map.Entry<String, long[]> e : other.counters.entrySet()) {
            counters.computeIfAbsent(e.getKey(), k -> new long[1])[0] += e.getValue()[0];
        }
        while (counters.size() > capacity) {
            purge();
        }
    }

    /** A copy. */
    public FrequentItemsSketch copy() {
        var c = new FrequentItemsSketch(capacity);
        c.merge(this);
        return c;
    }

    /** Values counted (with multiplicity). */
    public long n() {
        return n;
    }

    /** The largest possible undercount of any value (0 while exact). */
    public long maximumError() {
        return maxError;
    }

    public int capacity() {
        return capacity;
    }

    /** The guaranteed lower bound of a value's count (0 when not tracked). */
    public long lowerBound(String value) {
        long[] c = counters.get(value);
        return c == null ? 0 : c[0];
    }

    /** The upper bound of a value's count. */
    public long upperBound(String value) {
        return lowerBound(value) + maxError;
    }

    /** A tracked value with its count bounds. */
    public record Item(String value, long lowerBound, long upperBound) {
    }

    /** Tracked values by decreasing count (ties by value): every value whose true count exceeds the error. */
    public List<Item> items() {
        List<Item> out = new ArrayList<>(counters.size());
        for (var e : counters.entrySet()) {
            out.add(new Item(e.getKey(), e.getValue()[0], e.getValue()[0] + maxError));
        }
        out.sort(Comparator.comparingLong(Item::lowerBound).reversed().thenComparing(Item::value));
        return out;
    }

    /** Writes capacity, n, error and the counters. */
    public void write(DataOutputStream out) throws IOException {
        out.writeInt(capacity);
        out.writeLong(n);
        out.writeLong(maxError);
        out.writeInt(counters.size());
        for (Item item : items()) {
            byte[] utf8 = item.value().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            out.writeInt(utf8.length);
            out.write(utf8);
            out.writeLong(item.lowerBound());
        }
    }

    /** Reads a sketch written by {@link #write}. */
    public static FrequentItemsSketch read(DataInputStream in) throws IOException {
        int capacity = in.readInt();
        if (capacity < 4 || capacity > MAX_CAPACITY) {
            // the counters' table is sized by it: a stored or uploaded profile must not be able to ask for gigabytes
            throw new IllegalArgumentException("corrupt frequent-items sketch (capacity " + capacity + ")");
        }
        var s = new FrequentItemsSketch(capacity);
        s.n = in.readLong();
        s.maxError = in.readLong();
        int size = in.readInt();
        if (size < 0 || size > s.capacity) {
            throw new IllegalArgumentException("corrupt frequent-items sketch (" + size + " counters)");
        }
        for (int i = 0; i < size; i++) {
            int len = in.readInt();
            if (len < 0 || len > in.available()) {
                throw new IllegalArgumentException("corrupt frequent-items sketch (string of " + len + " bytes)");
            }
            String value = new String(in.readNBytes(len), java.nio.charset.StandardCharsets.UTF_8);
            s.counters.put(value, new long[] {in.readLong()});
        }
        return s;
    }
}
