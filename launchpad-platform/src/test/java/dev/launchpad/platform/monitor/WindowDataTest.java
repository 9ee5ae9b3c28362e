package dev.launchpad.platform.monitor;

import dev.launchpad.stats.profile.ColumnProfile;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * A window profiles requests' features in chunks: what it reports must be what profiling every request's
 * values directly gives, whatever mix of batch sizes, missing features and late features the traffic has.
 */
class WindowDataTest {

    @Test
    void chunkedProfilesAreTheProfilesOfEveryValue() {
        chunkedProfilesAreTheProfilesOfEveryValue(WindowData.empty(100, 1));
        chunkedProfilesAreTheProfilesOfEveryValue(WindowData.reference(100, 1));
    }

    private static void chunkedProfilesAreTheProfilesOfEveryValue(WindowData w) {
        var random = new Random(11);
        Map<String, List<Object>> values = new HashMap<>();
        long rows = 0;
        for (int request = 0; request < 1_500; request++) {
            int n = 1 + random.nextInt(request % 10 == 0 ? 700 : 40); // now and then more than a chunk at once
            var features = new ArrayList<FeatureBatch.Feature>();
            features.add(numeric("a", n, random, 0.05, values));
            if (request % 3 == 0) {
                features.add(numeric("b", n, random, 0, values)); // only in some requests
            }
            features.add(categorical("c", n, random, values));
            if (request >= 700) {
                features.add(numeric("late", n, random, 0, values)); // appears after many chunks
            }
            w.add("ok", 1_000_000, new FeatureBatch(n, features),
                    new FeatureBatch(n, List.of(numeric("score", n, random, 0, values))));
            rows += n;
        }
        assertThat(w.rows()).isEqualTo(rows);
        assertThat(w.inputs().rowCount()).isEqualTo(rows);
        assertThat(w.outputs().rowCount()).isEqualTo(rows);
        assertThat(w.inputs().columns().keySet()).containsExactly("a", "b", "c", "late");
        assertThat(w.schemaMismatches()).isZero();
        for (var name : List.of("a", "b", "c", "late")) {
            assertSameProfile(w.inputs().column(name), values.get(name));
        }
        assertSameProfile(w.outputs().column("score"), values.get("score"));
    }

    @Test
    void readsSeeEveryRowAddedSoFar() {
        var w = WindowData.empty(100, 1);
        w.add("ok", 1_000_000, new FeatureBatch(3, List.of(FeatureBatch.Feature.numeric("x", new double[] {1, 2, 3}))),
                FeatureBatch.empty(3));
        assertThat(w.inputs().rowCount()).isEqualTo(3); // fewer rows than a chunk: the read profiles them
        assertThat(w.inputs().column("x").mean()).isEqualTo(2.0);
        var other = WindowData.empty(100, 2);
        other.add("ok", 1_000_000, new FeatureBatch(1, List.of(FeatureBatch.Feature.numeric("x", new double[] {6}))),
                FeatureBatch.empty(1));
        var merged = w.merge(other);
        assertThat(merged.inputs().rowCount()).isEqualTo(4);
        assertThat(merged.inputs().column("x").mean()).isEqualTo(3.0);
        assertThat(merged.inputs().column("x").max()).isEqualTo(6.0);
    }

    @Test
    void aFeatureThatChangesKindOrRepeatsIsCountedNotProfiled() {
        var w = WindowData.empty(100, 1);
        w.add("ok", 1_000_000, new FeatureBatch(2, List.of(FeatureBatch.Feature.numeric("x", new double[] {1, 2}))),
                FeatureBatch.empty(2));
        w.add("ok", 1_000_000, new FeatureBatch(2, List.of(FeatureBatch.Feature.categorical("x", new String[] {"a", "b"}))),
                FeatureBatch.empty(2));
        w.add("ok", 1_000_000, new FeatureBatch(1, List.of(FeatureBatch.Feature.numeric("x", new double[] {3}),
                FeatureBatch.Feature.numeric("x", new double[] {100}))), FeatureBatch.empty(1));
        // the same layout again: the first x is profiled, the repeated one is not
        w.add("ok", 1_000_000, new FeatureBatch(1, List.of(FeatureBatch.Feature.numeric("x", new double[] {4}),
                FeatureBatch.Feature.numeric("x", new double[] {100}))), FeatureBatch.empty(1));
        assertThat(w.schemaMismatches()).isEqualTo(2 + 1 + 1);
        var x = w.inputs().column("x");
        assertThat(x.kind()).isEqualTo(ColumnProfile.Kind.NUMERIC);
        assertThat(x.count()).isEqualTo(4);
        assertThat(x.max()).isEqualTo(4.0);
        assertThat(w.inputs().rowCount()).isEqualTo(6);
    }

    @Test
    void aFeatureWithoutANameIsCountedAndTheWindowGoesOn() {
        var w = WindowData.empty(100, 1);
        for (int i = 0; i < 600; i++) { // past a chunk, so the buffers are profiled in between
            w.add("ok", 1_000_000, new FeatureBatch(1, List.of(FeatureBatch.Feature.numeric(" ", new double[] {i}),
                    FeatureBatch.Feature.numeric("x", new double[] {i}))), FeatureBatch.empty(1));
        }
        w.release();
        assertThat(w.schemaMismatches()).isEqualTo(600);
        assertThat(w.inputs().columns().keySet()).containsExactly("x");
        assertThat(w.inputs().column("x").count()).isEqualTo(600);
        assertThat(w.inputSample().names()).containsExactly("x");
        assertThat(w.inputs().rowCount()).isEqualTo(600);
    }

    @Test
    void aMatrixBatchProfilesAndSamplesLikeItsColumns() {
        var random = new Random(5);
        var names = List.of("m0", "m1", "m2");
        var fromMatrix = WindowData.reference(50, 9); // (with distinct counts, to compare them too)
        var fromColumns = WindowData.reference(50, 9);
        for (int request = 0; request < 400; request++) {
            int n = 1 + random.nextInt(request % 50 == 0 ? 900 : 20); // now and then more than a chunk at once
            float[] data = new float[n * 3];
            for (int i = 0; i < data.length; i++) {
                data[i] = i % 17 == 0 ? Float.NaN : (float) random.nextGaussian();
            }
            var columns = new ArrayList<FeatureBatch.Feature>();
            for (int j = 0; j < 3; j++) {
                double[] v = new double[n];
                for (int r = 0; r < n; r++) {
                    v[r] = data[r * 3 + j];
                }
                columns.add(FeatureBatch.Feature.numeric(names.get(j), v));
            }
            var out = FeatureBatch.empty(n);
            fromMatrix.add("ok", 1_000_000, FeatureBatch.matrix(names, data, n), out);
            fromColumns.add("ok", 1_000_000, new FeatureBatch(n, columns), out);
        }
        for (var name : names) {
            var a = fromMatrix.inputs().column(name);
            var b = fromColumns.inputs().column(name);
            assertThat(a.count()).isEqualTo(b.count());
            assertThat(a.nanCount()).isEqualTo(b.nanCount()).isPositive();
            assertThat(a.distinctEstimate()).isEqualTo(b.distinctEstimate());
            assertThat(a.mean()).isEqualTo(b.mean());
            assertThat(a.variance()).isEqualTo(b.variance());
            assertThat(a.quantile(0.5)).isEqualTo(b.quantile(0.5));
            // the same reservoir draws keep the same rows
            assertThat(fromMatrix.inputSample().column(name)).isEqualTo(fromColumns.inputSample().column(name));
        }
        // a request naming its columns differently (another names list) has other features, not the cached ones
        long m0 = fromMatrix.inputs().column("m0").count();
        fromMatrix.add("ok", 1_000_000, FeatureBatch.matrix(List.of("m0", "other"), new double[] {1, 2}, 1),
                FeatureBatch.empty(1));
        assertThat(fromMatrix.inputs().columns().keySet()).containsExactly("m0", "m1", "m2", "other");
        assertThat(fromMatrix.inputs().column("other").mean()).isEqualTo(2.0);
        assertThat(fromMatrix.inputs().column("m0").count()).isEqualTo(m0 + 1);
        assertThat(fromMatrix.inputs().column("m1").count()).isEqualTo(m0);
    }

    @Test
    void matrixAndFeatureListBatchesOfTheSameNamesTakeTurns() {
        var names = List.of("a", "b");
        var w = WindowData.empty(100, 3);
        var none = FeatureBatch.empty(2);
        w.add("ok", 1_000_000, FeatureBatch.matrix(names, new double[] {1, 10, 2, 20}, 2), none);
        w.add("ok", 1_000_000, new FeatureBatch(2, List.of(FeatureBatch.Feature.numeric("a", new double[] {3, 4}),
                FeatureBatch.Feature.numeric("b", new double[] {30, 40}))), none);
        w.add("ok", 1_000_000, FeatureBatch.matrix(names, new float[] {5, 50, 6, 60}, 2), none);
        // the same names, but b is categorical now: counted as a mismatch, not profiled or sampled
        w.add("ok", 1_000_000, new FeatureBatch(2, List.of(FeatureBatch.Feature.numeric("a", new double[] {7, 8}),
                FeatureBatch.Feature.categorical("b", new String[] {"x", "y"}))), none);
        w.add("ok", 1_000_000, FeatureBatch.matrix(names, new double[] {9, 90, 10, 100}, 2), none);
        assertThat(w.schemaMismatches()).isEqualTo(2);
        assertThat(w.inputs().column("a").count()).isEqualTo(10);
        assertThat(w.inputs().column("a").mean()).isEqualTo(5.5);
        assertThat(w.inputs().column("b").count()).isEqualTo(8);
        assertThat(w.inputs().column("b").max()).isEqualTo(100);
        assertThat(w.inputs().column("b").kind()).isEqualTo(ColumnProfile.Kind.NUMERIC);
        assertThat(w.inputSample().names()).containsExactly("a", "b");
        assertThat(w.inputSample().column("a").size()).isEqualTo(10);
        // a kept row of the categorical request has no b
        assertThat(((dev.launchpad.stats.Column.Numeric) w.inputSample().column("b")).values())
                .containsExactlyInAnyOrder(10, 20, 30, 40, 50, 60, Double.NaN, Double.NaN, 90, 100);
    }

    @Test
    void aMatrixBatchChecksItsShape() {
        var names = List.of("a", "b");
        var batch = FeatureBatch.matrix(names, new float[] {1, 2, 3, 4, 5, 6}, 3);
        assertThat(batch.width()).isEqualTo(2);
        assertThat(batch.features()).extracting(FeatureBatch.Feature::name).containsExactly("a", "b");
        assertThat(batch.features().get(1).numbers()).containsExactly(2, 4, 6);
        // a names list from List.of or List.copyOf is kept (batches are recognised by it), any other is copied
        var kept = List.copyOf(java.util.stream.Stream.of("a", "b").toList());
        assertThat(FeatureBatch.matrix(kept, new float[2], 1).matrixNames()).isSameAs(kept);
        var streamed = java.util.stream.Stream.of("a", "b").toList();
        assertThat(FeatureBatch.matrix(streamed, new float[2], 1).matrixNames()).isNotSameAs(streamed).isEqualTo(streamed);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> FeatureBatch.matrix(names, new float[5], 3))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3 × 2");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> FeatureBatch.matrix(names, new int[6], 3))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("float[] or double[]");
    }

    private static FeatureBatch.Feature numeric(String name, int n, Random random, double nanShare,
                                                Map<String, List<Object>> values) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = random.nextDouble() < nanShare ? Double.NaN : random.nextGaussian() * 2 + 1;
            values.computeIfAbsent(name, k -> new ArrayList<>()).add(v[i]);
        }
        return FeatureBatch.Feature.numeric(name, v);
    }

    private static FeatureBatch.Feature categorical(String name, int n, Random random, Map<String, List<Object>> values) {
        String[] v = new String[n];
        for (int i = 0; i < n; i++) {
            int k = random.nextInt(12);
            v[i] = k == 0 ? null : "k" + k;
            values.computeIfAbsent(name, key -> new ArrayList<>()).add(v[i]);
        }
        return FeatureBatch.Feature.categorical(name, v);
    }

    private static void assertSameProfile(ColumnProfile chunked, List<Object> all) {
        ColumnProfile direct;
        if (chunked.kind() == ColumnProfile.Kind.NUMERIC) {
            direct = chunked.hasDistinctCount() ? ColumnProfile.numeric(chunked.name())
                    : ColumnProfile.numericWithoutDistinctCount(chunked.name());
            direct.update(all.stream().mapToDouble(o -> (Double) o).toArray());
        } else {
            direct = ColumnProfile.categorical(chunked.name());
            direct.update(all.toArray(String[]::new));
        }
        assertThat(chunked.count()).as(chunked.name()).isEqualTo(direct.count()).isEqualTo(all.size());
        assertThat(chunked.nullCount()).isEqualTo(direct.nullCount());
        assertThat(chunked.nanCount()).isEqualTo(direct.nanCount());
        if (direct.hasDistinctCount()) {
            assertThat(chunked.distinctEstimate()).isEqualTo(direct.distinctEstimate()); // same registers, any order
        }
        if (chunked.kind() == ColumnProfile.Kind.NUMERIC) {
            assertThat(chunked.min()).isEqualTo(direct.min());
            assertThat(chunked.max()).isEqualTo(direct.max());
            assertThat(chunked.mean()).isCloseTo(direct.mean(), within(1e-9));
            assertThat(chunked.variance()).isCloseTo(direct.variance(), within(1e-9));
            for (double q : new double[] {0.1, 0.5, 0.9}) {
                double x = direct.quantile(q);
                assertThat(chunked.rank(x)).isCloseTo(direct.rank(x), within(chunked.rankError() + direct.rankError()));
            }
        } else {
            assertThat(chunked.frequentItems()).isEqualTo(direct.frequentItems());
        }
    }
    @Test
    void aCorruptStoredWindowIsTheServersFaultNotTheRequests() {
        // an IllegalArgumentException would be answered 400, as if the request were wrong
        var garbage = new byte[] {1, 2, 3};
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> WindowData.read(1, 1, 0, 0, 0, garbage, garbage,
                        new byte[40], new byte[] {0, 0, 0, 3, 9, 9, 9, 0, 0, 0, 0}, 1))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("corrupt monitoring window");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> RowSample.fromBytes(garbage, 1))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void trafficWindowsKeepNoNumericDistinctCountAndMergeWithWindowsStoredWithOne() {
        var random = new Random(21);
        var traffic = WindowData.empty(100, 1);
        var reference = WindowData.reference(100, 1); // as windows were stored before, with distinct counts
        Map<String, List<Object>> values = new HashMap<>();
        for (int request = 0; request < 40; request++) {
            var in = new FeatureBatch(30, List.of(numeric("x", 30, random, 0, values), categorical("c", 30, random, values)));
            var out = new FeatureBatch(30, List.of(numeric("score", 30, random, 0, values)));
            traffic.add("ok", 1_000_000, in, out);
            reference.add("ok", 1_000_000, in, out);
        }
        assertThat(traffic.inputs().column("x").hasDistinctCount()).isFalse();
        assertThat(traffic.outputs().column("score").hasDistinctCount()).isFalse();
        assertThat(traffic.inputs().column("c").hasDistinctCount()).isTrue();
        assertThat(reference.inputs().column("x").hasDistinctCount()).isTrue();
        assertThat(traffic.approximateBytes()).isLessThan(reference.approximateBytes());

        // stored and read back as it was
        var stored = WindowData.read(traffic.requests(), traffic.rows(), 0, 0, 0, traffic.inputs().toBytes(),
                traffic.outputs().toBytes(), traffic.latencyBytes(), traffic.sampleBytes(), 1);
        assertThat(stored.inputs().column("x").hasDistinctCount()).isFalse();
        assertThat(stored.inputs().column("x").toBytes()).isEqualTo(traffic.inputs().column("x").toBytes());

        // rolled up with a window stored with the counts: the numbers add up, the numeric count is dropped
        for (var merged : List.of(reference.merge(stored), stored.merge(reference))) {
            var x = merged.inputs().column("x");
            assertThat(x.hasDistinctCount()).isFalse();
            assertThat(x.count()).isEqualTo(2 * 1_200);
            assertThat(x.mean()).isCloseTo(traffic.inputs().column("x").mean(), within(1e-12));
            assertThat(merged.inputs().column("c").distinctEstimate()).isCloseTo(11, within(0.5)); // k1 .. k11
            assertThat(merged.requests()).isEqualTo(80);
        }
    }

    @Test
    void mergedWindowsKeepAtMostMaxFeaturesAndTheSameInProfileAndSample() {
        var windows = new ArrayList<WindowData>();
        for (int w = 0; w < 2; w++) {
            var window = WindowData.empty(100, w);
            var features = new ArrayList<FeatureBatch.Feature>();
            for (int f = 0; f < 6_000; f++) {
                // the second window's names sort before the first's, and come in the opposite order
                features.add(FeatureBatch.Feature.numeric((w == 0 ? "z" : "a") + (w == 0 ? f : 5_999 - f), new double[] {f}));
            }
            window.add("ok", 1_000_000, new FeatureBatch(1, features), FeatureBatch.empty(1));
            windows.add(window);
        }
        var merged = windows.get(0).merge(windows.get(1));
        assertThat(merged.inputs().columns()).hasSize(FeatureBatch.MAX_FEATURES);
        assertThat(merged.inputSample().names()).containsExactlyInAnyOrderElementsOf(merged.inputs().columns().keySet());
        assertThat(merged.schemaMismatches()).isEqualTo(12_000 - FeatureBatch.MAX_FEATURES);
    }
}
