package dev.launchpad.stats.sketch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SketchTest {

    /** Largest |sketch rank − exact rank| over a grid of points, for sorted exact data. */
    static double maxRankError(QuantileSketch s, double[] sorted) {
        double worst = 0;
        for (int i = 0; i <= 200; i++) {
            double x = sorted[(int) ((long) (sorted.length - 1) * i / 200)];
            int exact = upper(sorted, x);
            worst = Math.max(worst, Math.abs(s.rank(x, true) - (double) exact / sorted.length));
        }
        return worst;
    }

    static int upper(double[] a, double x) {
        int lo = 0;
        int hi = a.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (a[mid] <= x) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    @Test
    void quantileSketchIsExactWhileSmall() {
        var s = new QuantileSketch();
        for (int i = 100; i >= 1; i--) {
            s.update(i);
        }
        assertThat(s.isEstimationMode()).isFalse();
        assertThat(s.normalizedRankError()).isZero();
        assertThat(s.quantile(0.5)).isEqualTo(50);
        assertThat(s.rank(10, true)).isEqualTo(0.10);
        assertThat(s.rank(10, false)).isEqualTo(0.09);
        assertThat(s.pmf(new double[] {25.5, 50.5}, true)).containsExactly(0.25, 0.25, 0.5);
        assertThat(s.min()).isEqualTo(1);
        assertThat(s.max()).isEqualTo(100);
    }

    @Test
    void quantileSketchStaysWithinItsRankErrorOnLargeStreams() {
        var rnd = new Random(42);
        for (int n : new int[] {10_000, 300_000, 1_000_000}) {
            var s = new QuantileSketch();
            double[] data = new double[n];
            for (int i = 0; i < n; i++) {
                data[i] = rnd.nextGaussian() * 3 + (i % 7); // not i.i.d. order: a mild trend
                s.update(data[i]);
            }
            Arrays.sort(data);
            assertThat(s.n()).isEqualTo(n);
            assertThat(s.isEstimationMode()).isTrue();
            assertThat(maxRankError(s, data)).as("n=" + n).isLessThanOrEqualTo(s.normalizedRankError());
            assertThat(s.retained()).isLessThan(1000);
            assertThat(s.quantile(0)).isEqualTo(data[0]);
            assertThat(s.quantile(1)).isEqualTo(data[n - 1]);
        }
    }

    @Test
    void batchUpdatesStayWithinTheBound() {
        var rnd = new Random(43);
        for (int batch : new int[] {1, 7, 32, 512, 1000}) {
            var s = new QuantileSketch();
            int n = 400_000;
            double[] data = new double[n];
            for (int i = 0; i < n; i++) {
                data[i] = rnd.nextGaussian() * 3 + (i % 11);
            }
            for (int i = 0; i < n; i += batch) {
                s.update(data, i, Math.min(n, i + batch));
            }
            Arrays.sort(data);
            assertThat(s.n()).isEqualTo(n);
            assertThat(maxRankError(s, data)).as("batch=" + batch).isLessThanOrEqualTo(s.normalizedRankError());
            assertThat(s.retained()).isLessThan(1000 + batch);
            assertThat(s.min()).isEqualTo(data[0]);
            assertThat(s.max()).isEqualTo(data[n - 1]);
        }
        for (double[] withNaN : new double[][] {{1, Double.NaN}, {Double.NaN, 1, 2}, {3, Double.NaN, 1}}) {
            var sketch = new QuantileSketch();
            assertThatThrownBy(() -> sketch.update(withNaN, 0, withNaN.length)).isInstanceOf(IllegalArgumentException.class);
            assertThat(sketch.n()).isZero();
        }
        // a caller that knows each batch's range gives it: the sketch's ends are the ranges' ends, and its rank error stays
        // within the bound (the sketch reads only the values it keeps)
        int size = 200_000;
        double[] data = new double[size];
        var random = new java.util.Random(8);
        for (int i = 0; i < data.length; i++) {
            data[i] = random.nextGaussian();
        }
        var given = new QuantileSketch();
        for (int i = 0; i < data.length; i += 500) {
            double lo = Double.POSITIVE_INFINITY;
            double hi = Double.NEGATIVE_INFINITY;
            for (int j = i; j < i + 500; j++) {
                lo = Math.min(lo, data[j]);
                hi = Math.max(hi, data[j]);
            }
            given.update(data, i, i + 500, lo, hi);
        }
        double[] sorted = data.clone();
        java.util.Arrays.sort(sorted);
        assertThat(given.n()).isEqualTo(size);
        assertThat(given.min()).isEqualTo(sorted[0]);
        assertThat(given.max()).isEqualTo(sorted[size - 1]);
        assertThat(maxRankError(given, sorted)).isLessThanOrEqualTo(given.normalizedRankError());
        var refused = new QuantileSketch();
        assertThatThrownBy(() -> refused.update(data, 0, 10, Double.NaN, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> refused.update(data, 0, 10, 2, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("above");
        assertThatThrownBy(() -> refused.update(data, 0, 10, 0.0, -0.0)).isInstanceOf(IllegalArgumentException.class);
        assertThat(refused.n()).isZero();
    }

    @Test
    void longStreamsInChunksSampleRunsOfValuesWithinTheBound() {
        // past 2^14 · 2^h values a chunk gives level h one value per run of 2^h: check ascending (the order a
        // biased draw would show most) and trending random streams, deep enough for runs of 128
        int n = 4_000_000;
        var rnd = new Random(45);
        double[] ascending = new double[n];
        double[] trending = new double[n];
        for (int i = 0; i < n; i++) {
            ascending[i] = i;
            trending[i] = rnd.nextGaussian() + i / 200_000.0;
        }
        for (double[] data : List.of(ascending, trending)) {
            var s = new QuantileSketch();
            for (int i = 0; i < n; i += 512) {
                s.update(data, i, Math.min(n, i + 512));
            }
            double[] sorted = data.clone();
            Arrays.sort(sorted);
            assertThat(s.n()).isEqualTo(n);
            assertThat(s.rank(sorted[n - 1], true)).isEqualTo(1.0); // every value's weight is kept
            assertThat(maxRankError(s, sorted)).isLessThanOrEqualTo(s.normalizedRankError());
            assertThat(s.min()).isEqualTo(sorted[0]);
            assertThat(s.max()).isEqualTo(sorted[n - 1]);
        }
    }

    @Test
    void chunksShorterThanTheSampledRunsStayWithinTheBound() {
        // past 2^23 values the runs (1 024 values and more) are longer than a chunk of 512, 700 or 3: each chunk is
        // split into runs of the largest powers of two that fit. The stream visits 0 .. m-1 in a scrambled order, each
        // value equally often, so the exact rank of v is (v + 1) / m without keeping the stream
        int m = 10_007;
        long n = (long) m * 1_700; // about 17 million values
        for (int chunk : new int[] {512, 700, 3}) {
            var s = new QuantileSketch();
            double[] buffer = new double[chunk];
            for (long i = 0; i < n; i += chunk) {
                int len = (int) Math.min(chunk, n - i);
                double lo = Double.POSITIVE_INFINITY;
                double hi = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < len; j++) {
                    buffer[j] = ((i + j) * 7_919) % m;
                    lo = Math.min(lo, buffer[j]);
                    hi = Math.max(hi, buffer[j]);
                }
                s.update(buffer, 0, len, lo, hi);
            }
            assertThat(s.n()).isEqualTo(n);
            assertThat(s.rank(m - 1, true)).isEqualTo(1.0); // every value's weight is kept
            double worst = 0;
            for (int v = 0; v < m; v += 50) {
                worst = Math.max(worst, Math.abs(s.rank(v, true) - (v + 1.0) / m));
            }
            assertThat(worst).as("chunks of " + chunk).isLessThanOrEqualTo(s.normalizedRankError());
        }
        // each chunk a sawtooth 0 .. len-1, so that every run of a chunk has values of its own: a draw that favoured
        // some place in its run (its first value, say), or a run given the wrong weight, would move the ranks by far
        // more than the bound. Exact rank of v: (v + 1) / chunk
        for (int chunk : new int[] {512, 700}) {
            var s = new QuantileSketch();
            double[] saw = new double[chunk];
            for (int j = 0; j < chunk; j++) {
                saw[j] = j;
            }
            long total = (long) chunk * 24_000; // past 2^23 values: runs longer than the chunk
            for (long i = 0; i < total; i += chunk) {
                s.update(saw, 0, chunk, 0, chunk - 1);
            }
            assertThat(s.n()).isEqualTo(total);
            double worst = 0;
            for (int v = 0; v < chunk; v++) {
                worst = Math.max(worst, Math.abs(s.rank(v, true) - (v + 1.0) / chunk));
            }
            assertThat(worst).as("sawtooth chunks of " + chunk).isLessThanOrEqualTo(s.normalizedRankError());
        }
    }

    @Test
    void valuesThatAlternateWithArrivalOrderStayWithinTheBound() throws IOException {
        var rnd = new Random(44);
        int n = 200_000;
        double[] alternating = new double[n];
        double[] classes = new double[n];
        for (int i = 0; i < n; i++) {
            alternating[i] = i % 2;
            classes[i] = rnd.nextGaussian() + (i % 2 == 0 ? -1 : 1); // two interleaved classes
        }
        for (int batch : new int[] {n, 32, 512}) {
            var a = new QuantileSketch();
            var c = new QuantileSketch();
            for (int i = 0; i < n; i += batch) {
                a.update(alternating, i, Math.min(n, i + batch));
                c.update(classes, i, Math.min(n, i + batch));
            }
            assertThat(a.rank(0, true)).as("batch=" + batch).isCloseTo(0.5, within(a.normalizedRankError()));
            double[] sortedClasses = classes.clone();
            Arrays.sort(sortedClasses);
            assertThat(maxRankError(c, sortedClasses)).as("batch=" + batch).isLessThanOrEqualTo(c.normalizedRankError());
            // a sampling sketch merged and written and read back keeps its answers
            var merged = new QuantileSketch();
            merged.merge(c);
            var bytes = new ByteArrayOutputStream();
            merged.write(new DataOutputStream(bytes));
            var back = QuantileSketch.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
            assertThat(back.n()).isEqualTo(n);
            assertThat(maxRankError(back, sortedClasses)).isLessThanOrEqualTo(back.normalizedRankError());
        }
    }

    @Test
    void mergedQuantileSketchesStayWithinTheBound() {
        var rnd = new Random(5);
        int parts = 37;
        double[] all = new double[parts * 20_000];
        QuantileSketch merged = new QuantileSketch();
        int j = 0;
        for (int p = 0; p < parts; p++) {
            var part = new QuantileSketch();
            for (int i = 0; i < 20_000; i++) {
                double v = rnd.nextDouble() * (p + 1);
                part.update(v);
                all[j++] = v;
            }
            merged.merge(part);
        }
        Arrays.sort(all);
        assertThat(merged.n()).isEqualTo(all.length);
        assertThat(maxRankError(merged, all)).isLessThanOrEqualTo(merged.normalizedRankError());
    }

    @Test
    void quantileSketchRoundTrips() throws IOException {
        var s = new QuantileSketch();
        var rnd = new Random(1);
        for (int i = 0; i < 50_000; i++) {
            s.update(rnd.nextDouble());
        }
        var bytes = new ByteArrayOutputStream();
        s.write(new DataOutputStream(bytes));
        assertThat(bytes.size()).isLessThan(10_000);
        var back = QuantileSketch.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        for (double q = 0; q <= 1; q += 0.05) {
            assertThat(back.quantile(q)).isEqualTo(s.quantile(q));
        }
        assertThat(back.n()).isEqualTo(s.n());
        assertThatThrownBy(() -> s.update(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
        // a range that is NaN or upside down is refused: profiles take their min and max from the sketch
        for (double[] range : new double[][] {{Double.NaN, 1}, {0.5, Double.NaN}, {0.9, 0.1}}) {
            var corrupt = java.nio.ByteBuffer.wrap(bytes.toByteArray());
            corrupt.putDouble(10, range[0]).putDouble(18, range[1]); // after k (2 bytes) and n (8)
            assertThatThrownBy(() -> QuantileSketch.read(new DataInputStream(new ByteArrayInputStream(corrupt.array()))))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("corrupt quantile sketch (range");
        }
    }

    @Test
    void distinctCountIsAccurate() {
        for (int n : new int[] {0, 1, 10, 100, 1000, 10_000, 200_000}) {
            var h = new DistinctCountSketch();
            for (int rep = 0; rep < 3; rep++) {
                for (int i = 0; i < n; i++) {
                    h.update("user-" + i);
                }
            }
            double tolerance = n <= 100 ? Math.max(0.5, n * 0.02) : n * 3 * h.relativeStandardError();
            assertThat(h.estimate()).as("n=" + n).isCloseTo(n, within(tolerance));
        }
        var d = new DistinctCountSketch();
        for (int i = 0; i < 50_000; i++) {
            d.update(i * 0.5);
        }
        d.update(-0.0);
        d.update(0.0);
        assertThat(d.estimate()).isCloseTo(50_000, within(50_000 * 3 * d.relativeStandardError()));
    }

    @Test
    void distinctCountOfABatchIsItsValuesOneByOne() {
        var random = new java.util.Random(8);
        double[] values = new double[5_000];
        for (int i = 0; i < values.length; i++) {
            values[i] = i % 7 == 0 ? Math.floor(random.nextGaussian() * 3) : random.nextGaussian();
        }
        values[10] = -0.0;
        values[11] = 0.0;
        values[12] = Double.NaN;
        values[13] = Double.longBitsToDouble(0x7ff0000000000123L); // another NaN
        values[14] = Double.NEGATIVE_INFINITY;
        var batch = new DistinctCountSketch();
        batch.update(values, 0, 3_000);
        batch.update(values, 3_000, values.length);
        var single = new DistinctCountSketch();
        for (double v : values) {
            single.update(v);
        }
        assertThat(batch).isEqualTo(single);
        assertThatThrownBy(() -> batch.update(values, 4_000, 6_000)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void doubleHashesStayTheSame() {
        // stored profiles are merged with new ones: a changed hash would count old values again
        for (double v : new double[] {1.5, -2.25, 1e300, Double.MIN_VALUE, 0.0, Double.POSITIVE_INFINITY, Double.NaN}) {
            assertThat(Hashing.hash(v)).as("%s", v).isEqualTo(Hashing.mix(Double.doubleToLongBits(v) + 0x9E3779B97F4A7C15L));
        }
        assertThat(Hashing.hash(-0.0)).isEqualTo(Hashing.hash(0.0));
        assertThat(Hashing.hash(Double.longBitsToDouble(0xfff8000000000001L))).isEqualTo(Hashing.hash(Double.NaN));
        assertThat(Hashing.hash(1.0)).isEqualTo(0x1d90_3ebd_23d1_3a55L);
        // the branch-free form agrees with the plain definition on the edges of every class of bits and at random
        var random = new Random(17);
        var bits = new ArrayList<Long>(List.of(0L, Long.MIN_VALUE, Long.MIN_VALUE + 1, 1L, -1L, Long.MAX_VALUE,
                0x7FF0_0000_0000_0000L, 0xFFF0_0000_0000_0000L, 0x7FF0_0000_0000_0001L, 0xFFF0_0000_0000_0001L,
                0x7FEF_FFFF_FFFF_FFFFL, 0x7FF8_0000_0000_0000L, 0x000F_FFFF_FFFF_FFFFL));
        for (int i = 0; i < 100_000; i++) {
            bits.add(random.nextLong());
        }
        for (long b : bits) {
            double v = Double.longBitsToDouble(b);
            long canonical = v == 0 ? 0 : Double.doubleToLongBits(v);
            assertThat(Hashing.hashBits(b)).as("%x", b).isEqualTo(Hashing.mix(canonical + 0x9E3779B97F4A7C15L))
                    .isEqualTo(Hashing.hash(v));
        }
    }

    @Test
    void distinctCountMergeIsTheUnion() throws IOException {
        var a = new DistinctCountSketch();
        var b = new DistinctCountSketch();
        var union = new DistinctCountSketch();
        for (int i = 0; i < 30_000; i++) {
            a.update("k" + i);
            union.update("k" + i);
        }
        for (int i = 20_000; i < 60_000; i++) {
            b.update("k" + i);
            union.update("k" + i);
        }
        var ab = a.copy();
        ab.merge(b);
        var ba = b.copy();
        ba.merge(a);
        assertThat(ab).isEqualTo(union).isEqualTo(ba);
        var bytes = new ByteArrayOutputStream();
        ab.write(new DataOutputStream(bytes));
        assertThat(DistinctCountSketch.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()))))
                .isEqualTo(ab);
        var small = new DistinctCountSketch();
        small.update("x");
        bytes.reset();
        small.write(new DataOutputStream(bytes));
        assertThat(bytes.size()).isLessThan(20); // sparse form
    }

    @Test
    void storedSketchesCannotAskForMoreMemoryThanTheyHoldBytes() throws IOException {
        // a frequent-items sketch whose capacity would size a table of 2^30 slots, with one item
        var items = new ByteArrayOutputStream();
        try (var out = new DataOutputStream(items)) {
            out.writeInt(0x2000_0000);
            out.writeLong(1);
            out.writeLong(0);
            out.writeInt(1);
            out.writeInt(1);
            out.write('a');
            out.writeLong(1);
        }
        assertThatThrownBy(() -> FrequentItemsSketch.read(new DataInputStream(new ByteArrayInputStream(items.toByteArray()))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("capacity 536870912");
        // a quantile sketch level claiming a million items in a few bytes
        var quantiles = new ByteArrayOutputStream();
        try (var out = new DataOutputStream(quantiles)) {
            out.writeShort(65_535);
            out.writeLong(1_000_000);
            out.writeDouble(0);
            out.writeDouble(1);
            out.writeByte(1);
            out.writeInt(1_000_000);
            out.writeDouble(0.5);
        }
        assertThatThrownBy(() -> QuantileSketch.read(new DataInputStream(new ByteArrayInputStream(quantiles.toByteArray()))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("of 1000000 items");
    }

    @Test
    void frequentItemsAreExactUnderCapacityAndBoundedAbove() {
        var f = new FrequentItemsSketch(64);
        for (int i = 0; i < 1000; i++) {
            f.update("v" + (i % 10));
        }
        assertThat(f.maximumError()).isZero();
        assertThat(f.lowerBound("v3")).isEqualTo(100);
        assertThat(f.items()).hasSize(10);

        // Zipf-like stream with many distinct values: bounds must bracket the true counts
        var rnd = new Random(9);
        var g = new FrequentItemsSketch(64);
        int n = 200_000;
        long[] truth = new long[5000];
        for (int i = 0; i < n; i++) {
            int v = (int) Math.min(4999, Math.floor(Math.pow(rnd.nextDouble(), 3) * 5000));
            truth[v]++;
            g.update("x" + v);
        }
        assertThat(g.maximumError()).isLessThanOrEqualTo(2L * n / 64);
        for (int v = 0; v < 20; v++) {
            assertThat(truth[v]).isBetween(g.lowerBound("x" + v), g.upperBound("x" + v));
        }
        assertThat(g.items().get(0).value()).isEqualTo("x0");
    }
}
