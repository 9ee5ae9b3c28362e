package dev.launchpad.platform.monitor;

import dev.launchpad.stats.Column;
import dev.launchpad.stats.Dataset;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A bounded uniform sample of rows (reservoir sampling; Li's algorithm L draws random numbers only for the rows it
 * keeps, so most rows of a busy window cost a counter) kept next to a window's sketches so that drift can be
 * tested exactly (KS, Wasserstein, chi-square...) on raw values. Samples of disjoint windows {@link #merge merge}
 * into a uniform sample of their union (a hypergeometric split of the rows between the two sides). Not thread-safe.
 */
public final class RowSample {
    private static final int MAGIC = 0x4C50_5253; // "LPRS"

    private final int capacity;
    private long seen;
    private final LinkedHashMap<String, Integer> index = new LinkedHashMap<>();
    private final List<Boolean> numeric = new ArrayList<>();
    private final List<Object[]> rows = new ArrayList<>();
    private final SplittableRandom random;
    // algorithm L (Li 1994) once the reservoir has filled through add: the rows to pass over before the next one
    // kept, and the threshold that sets that gap; -1 for a sample read back or merged, which draws per row
    private long skip = -1;
    private double threshold;
    private String[] lastLayout; // the feature names of the last batch whose slots were looked up
    private List<String> lastMatrixNames; // and its names list, when it was a matrix batch

    public RowSample(int capacity, long seed) {
        if (capacity < 1) {
            throw new IllegalArgumentException("sample capacity must be ≥ 1, got " + capacity);
        }
        this.capacity = capacity;
        this.random = new SplittableRandom(seed);
    }

    public int capacity() {
        return capacity;
    }

    /** Rows offered so far (kept or not). */
    public long seen() {
        return seen;
    }

    /** Rows kept. */
    public int size() {
        return rows.size();
    }

    /** Offers every row of {@code batch}; a feature whose kind differs from an earlier one is skipped. */
    public void add(FeatureBatch batch) {
        // a batch whose features differ from the last one's registers them at once (the first kind seen is the
        // feature's kind, as in the profiles); the same features again are looked up only if a row is kept
        int[] slots = sameLayout(batch) ? null : slots(batch);
        int n = batch.rows();
        for (int r = 0; r < n; r++) {
            int target;
            if (rows.size() < capacity && (seen == rows.size() || rows.isEmpty())) {
                seen++; // every row seen so far is kept: room for this one too
                target = rows.size();
                rows.add(null);
                if (rows.size() == capacity && seen == capacity) {
                    threshold = Math.exp(Math.log(uniform()) / capacity);
                    skip = nextSkip();
                }
            } else if (skip >= 0) {
                if (skip >= n - r) {
                    skip -= n - r; // the rest of the batch is passed over
                    seen += n - r;
                    return;
                }
                r += (int) skip;
                seen += skip + 1;
                target = random.nextInt(capacity);
                threshold *= Math.exp(Math.log(uniform()) / capacity);
                skip = nextSkip();
            } else {
                // a sample read back or merged: a draw for every row (algorithm R), kept at its size (a merged sample
                // of fewer rows than its capacity stands for more rows than it holds, so it cannot grow)
                seen++;
                long j = random.nextLong(seen);
                if (j >= rows.size()) {
                    continue;
                }
                target = (int) j;
            }
            if (slots == null) {
                slots = slots(batch);
            }
            Object[] row = new Object[numeric.size()];
            for (int f = 0; f < slots.length; f++) {
                if (slots[f] >= 0) {
                    row[slots[f]] = batch.value(f, r);
                }
            }
            rows.set(target, row);
        }
    }

    /** A uniform draw from (0, 1]. */
    private double uniform() {
        return 1.0 - random.nextDouble();
    }

    /** How many rows algorithm L passes over before it keeps the next one. */
    private long nextSkip() {
        return (long) Math.floor(Math.log(uniform()) / Math.log1p(-threshold));
    }

    private boolean sameLayout(FeatureBatch batch) {
        var matrixNames = batch.matrixNames();
        if (matrixNames != null && matrixNames == lastMatrixNames) {
            return true;
        }
        if (lastLayout == null || lastLayout.length != batch.width()) {
            return false;
        }
        for (int f = 0; f < lastLayout.length; f++) {
            if (!java.util.Objects.equals(lastLayout[f], batch.name(f))) {
                return false;
            }
        }
        lastMatrixNames = matrixNames;
        return true;
    }

    private int[] slots(FeatureBatch batch) {
        int[] slots = new int[batch.width()];
        var names = new String[batch.width()];
        for (int f = 0; f < slots.length; f++) {
            names[f] = batch.name(f);
            slots[f] = slot(names[f], batch.numeric(f));
        }
        lastLayout = names;
        lastMatrixNames = batch.matrixNames();
        return slots;
    }

    private int slot(String name, boolean isNumeric) {
        if (!FeatureBatch.profiledName(name)) {
            return -1; // not kept: a feature needs a name, of a length a stored sample can hold
        }
        Integer i = index.get(name);
        if (i == null) {
            if (index.size() >= FeatureBatch.MAX_FEATURES) {
                return -1; // as many features as a window samples
            }
            index.put(name, numeric.size());
            numeric.add(isNumeric);
            return numeric.size() - 1;
        }
        return numeric.get(i) == isNumeric ? i : -1;
    }

    /**
     * A sample of this sample's rows and {@code other}'s, as if drawn from both streams; neither changes. A uniform
     * sample of k rows of the union holds a hypergeometric number of each stream's rows (k draws without replacement
     * from seen + seen rows); that many are taken, uniformly, from each side's kept rows — exactly a uniform sample of
     * the union when both sides are. (Weighted sampling of the kept rows, each weighing seen / kept, is not: two full
     * samples' rows cannot all win, so the side that saw fewer rows gets more than its share, and merging minute after
     * minute into an hour tilted it towards its last minutes.) The randomness follows this sample's seed and both
     * sides' counts, so merging the same stored samples again gives the same rows, and successive merges into one
     * stored sample do not repeat their draws.
     */
    public RowSample merge(RowSample other) {
        return merge(other, java.util.Set.of());
    }

    /**
     * {@link #merge(RowSample)}, leaving out {@code other}'s features named in {@code leaveOut} (those its window's
     * profile did not take, so that profile and sample keep the same features).
     */
    public RowSample merge(RowSample other, java.util.Set<String> leaveOut) {
        var rnd = new SplittableRandom(random.split().nextLong() ^ (seen * 0x9E37_79B9_7F4A_7C15L)
                ^ Long.rotateLeft(other.seen * 0xC2B2_AE3D_27D4_EB4FL, 29));
        // the smaller capacity: each side then holds at least as many rows as the split can ask of it
        var out = new RowSample(Math.min(capacity, other.capacity), rnd.nextLong());
        for (var e : index.entrySet()) {
            out.index.put(e.getKey(), out.numeric.size());
            out.numeric.add(numeric.get(e.getValue()));
        }
        for (var e : other.index.entrySet()) {
            if (!out.index.containsKey(e.getKey()) && !leaveOut.contains(e.getKey())) {
                out.index.put(e.getKey(), out.numeric.size());
                out.numeric.add(other.numeric.get(e.getValue()));
            }
        }
        out.seen = seen + other.seen;
        int k = Math.min(out.capacity, rows.size() + other.rows.size());
        // rows of this stream among k drawn from the union, one draw at a time
        long total = seen + other.seen;
        long mine = seen;
        int fromThis = 0;
        for (int i = 0; i < k; i++) {
            if (rnd.nextDouble() * (total - i) < mine - fromThis) {
                fromThis++;
            }
        }
        // (a sample holds min(seen, capacity) rows, so the split fits; the clip only guards samples that do not)
        fromThis = Math.max(k - other.rows.size(), Math.min(fromThis, rows.size()));
        out.takeUniformly(this, fromThis, rnd);
        out.takeUniformly(other, k - fromThis, rnd);
        return out;
    }

    /** Appends {@code count} of {@code source}'s kept rows, drawn uniformly without replacement, in its layout. */
    private void takeUniformly(RowSample source, int count, SplittableRandom rnd) {
        int[] map = new int[source.numeric.size()];
        for (var e : source.index.entrySet()) {
            Integer target = index.get(e.getKey()); // null: a feature beyond the ones a sample keeps
            map[e.getValue()] = target != null && numeric.get(target) == source.numeric.get(e.getValue()) ? target : -1;
        }
        int n = source.rows.size();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = 0; i < count; i++) { // the first count places of a Fisher–Yates shuffle
            int j = i + rnd.nextInt(n - i);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
            var row = source.rows.get(order[i]);
            var copy = new Object[numeric.size()];
            for (int f = 0; f < row.length; f++) {
                if (map[f] >= 0) {
                    copy[map[f]] = row[f];
                }
            }
            rows.add(copy);
        }
    }

    /** The kept rows as a dataset (a column missing from a row reads as missing). */
    public Dataset toDataset() {
        var columns = new ArrayList<Column>();
        for (var e : index.entrySet()) {
            columns.add(column(e.getKey(), e.getValue()));
        }
        return Dataset.of(columns);
    }

    /** About how much memory the kept rows take (a boxed number or a reference per cell, and the strings' chars). */
    public long approximateBytes() {
        long bytes = 64L * index.size() + (16L + 24L * index.size()) * rows.size();
        for (int c = 0; c < numeric.size(); c++) {
            if (numeric.get(c)) {
                continue;
            }
            for (var row : rows) {
                bytes += row != null && c < row.length && row[c] instanceof String text ? 24 + 2L * text.length() : 0;
            }
        }
        return bytes;
    }

    /** Feature names in the sample. */
    public List<String> names() {
        return List.copyOf(index.keySet());
    }

    /** Whether a feature is numeric (null when absent). */
    public Boolean isNumeric(String name) {
        Integer i = index.get(name);
        return i == null ? null : numeric.get(i);
    }

    /** One feature's kept values. */
    public Column column(String name) {
        Integer i = index.get(name);
        if (i == null) {
            throw new IllegalArgumentException("no feature '" + name + "' in the sample");
        }
        return column(name, i);
    }

    private Column column(String name, int i) {
        if (numeric.get(i)) {
            double[] v = new double[rows.size()];
            for (int r = 0; r < v.length; r++) {
                Object x = i < rows.get(r).length ? rows.get(r)[i] : null;
                v[r] = x == null ? Double.NaN : (Double) x;
            }
            return new Column.Numeric(name, v);
        }
        String[] v = new String[rows.size()];
        for (int r = 0; r < v.length; r++) {
            v[r] = i < rows.get(r).length ? (String) rows.get(r)[i] : null;
        }
        return new Column.Categorical(name, v);
    }

    public byte[] toBytes() {
        var bytes = new ByteArrayOutputStream(1024);
        try (var out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeInt(capacity);
            out.writeLong(seen);
            out.writeInt(index.size());
            for (var e : index.entrySet()) {
                out.writeUTF(e.getKey());
                out.writeBoolean(numeric.get(e.getValue()));
            }
            out.writeInt(rows.size());
            for (var row : rows) {
                for (int i = 0; i < numeric.size(); i++) {
                    Object x = i < row.length ? row[i] : null;
                    if (numeric.get(i)) {
                        out.writeDouble(x == null ? Double.NaN : (Double) x);
                    } else {
                        out.writeBoolean(x != null);
                        if (x != null) {
                            out.writeUTF(truncate((String) x));
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static String truncate(String s) {
        return s.length() > 1000 ? s.substring(0, 1000) : s;
    }

    /** Reads a sample written by {@link #toBytes()}; {@code seed} drives later sampling. */
    public static RowSample fromBytes(byte[] bytes, long seed) {
        try (var in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            if (in.readInt() != MAGIC) {
                throw new IllegalStateException("not a row sample");
            }
            var s = new RowSample(in.readInt(), seed);
            s.seen = in.readLong();
            int n = in.readInt();
            for (int i = 0; i < n; i++) {
                s.index.put(in.readUTF(), i);
                s.numeric.add(in.readBoolean());
            }
            int rows = in.readInt();
            for (int r = 0; r < rows; r++) {
                var row = new Object[n];
                for (int i = 0; i < n; i++) {
                    if (s.numeric.get(i)) {
                        double d = in.readDouble();
                        row[i] = d;
                    } else {
                        row[i] = in.readBoolean() ? in.readUTF() : null;
                    }
                }
                s.rows.add(row);
            }
            return s;
        } catch (IOException e) {
            throw new IllegalStateException("corrupt row sample: " + e.getMessage(), e); // stored by the server
        }
    }
}
