package dev.launchpad.stats.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.launchpad.stats.Column;
import dev.launchpad.stats.Dataset;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ColumnProfileTest {

    @Test
    void numericProfileCountsAndMoments() {
        var p = ColumnProfile.of(Column.numeric("x", 1, 2, Double.NaN, 3, Double.POSITIVE_INFINITY, 4, -0.0));
        p.updateNull();
        assertThat(p.count()).isEqualTo(8);
        assertThat(p.nanCount()).isEqualTo(1);
        assertThat(p.infiniteCount()).isEqualTo(1);
        assertThat(p.nullCount()).isEqualTo(1);
        assertThat(p.validCount()).isEqualTo(5);
        assertThat(p.completeness()).isEqualTo(5.0 / 8);
        assertThat(p.min()).isEqualTo(-0.0);
        assertThat(p.max()).isEqualTo(4);
        assertThat(p.mean()).isEqualTo(2.0);
        assertThat(p.variance()).isCloseTo(2.5, within(1e-12)); // values 0..4
        assertThat(p.populationVariance()).isCloseTo(2.0, within(1e-12));
        assertThat(p.quantile(0.5)).isEqualTo(2.0);
        assertThat(p.distinctEstimate()).isCloseTo(5, within(0.5));
    }

    @Test
    void momentsMatchATwoPassComputationOnLargeShiftedData() {
        var rnd = new Random(3);
        double[] x = new double[200_000];
        for (int i = 0; i < x.length; i++) {
            x[i] = 1e6 + rnd.nextGaussian();
        }
        double mean = 0;
        for (double v : x) {
            mean += v;
        }
        mean /= x.length;
        double ss = 0;
        for (double v : x) {
            ss += (v - mean) * (v - mean);
        }
        var p = ColumnProfile.of(Column.numeric("x", x));
        assertThat(p.mean()).isCloseTo(mean, within(1e-12 * mean));
        assertThat(p.variance()).isCloseTo(ss / (x.length - 1), within(1e-6));
    }

    @Test
    void batchesWithAndWithoutMissingValuesHaveTheMomentsOfTheirValues() {
        // a batch whose mean is exactly 0, one with NaN and infinities, and odd lengths (not multiples of four)
        double[][] batches = {{-3, 3, -1, 1, -2, 2, 0}, {5, Double.NaN, 6, Double.NEGATIVE_INFINITY, 7}, {2.5}};
        var p = ColumnProfile.numeric("x");
        var one = ColumnProfile.numeric("x");
        var finite = new java.util.ArrayList<Double>();
        for (double[] b : batches) {
            p.update(b);
            for (double v : b) {
                one.update(v);
                if (Double.isFinite(v)) {
                    finite.add(v);
                }
            }
        }
        double mean = finite.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        double ss = finite.stream().mapToDouble(v -> (v - mean) * (v - mean)).sum();
        assertThat(p.validCount()).isEqualTo(one.validCount()).isEqualTo(11);
        assertThat(p.nanCount()).isEqualTo(1);
        assertThat(p.infiniteCount()).isEqualTo(1);
        assertThat(p.min()).isEqualTo(one.min()).isEqualTo(-3);
        assertThat(p.max()).isEqualTo(one.max()).isEqualTo(7);
        assertThat(p.mean()).isCloseTo(mean, within(1e-12));
        assertThat(p.variance()).isCloseTo(ss / 10, within(1e-12));
        assertThat(one.variance()).isCloseTo(ss / 10, within(1e-12));
        // signed zeros: -0.0 is the smaller, whatever the order and however the values come
        for (double[] zeros : new double[][] {{0.0, -0.0}, {-0.0, 0.0}}) {
            var batch = ColumnProfile.numeric("z");
            batch.update(zeros);
            var single = ColumnProfile.numeric("z");
            single.update(zeros[0]);
            single.update(zeros[1]);
            var first = ColumnProfile.numeric("z");
            first.update(zeros[0]);
            var second = ColumnProfile.numeric("z");
            second.update(zeros[1]);
            for (var z : java.util.List.of(batch, single, first.merge(second))) {
                assertThat(Double.doubleToRawLongBits(z.min())).isEqualTo(Double.doubleToRawLongBits(-0.0));
                assertThat(Double.doubleToRawLongBits(z.max())).isEqualTo(Double.doubleToRawLongBits(0.0));
            }
        }
        var zeroMean = ColumnProfile.numeric("z");
        zeroMean.update(new double[] {-4, 4, -4, 4});
        assertThat(zeroMean.variance()).isCloseTo(64.0 / 3, within(1e-12));
    }

    @Test
    void longBatchesOrderSignedZerosAsSingleValuesDo() {
        // batches long enough for the unrolled scan, whose comparisons leave the zeros' order to a check of its own
        var random = new java.util.Random(3);
        double[] choices = {0.0, -0.0, 1.0, -1.0};
        for (int trial = 0; trial < 500; trial++) {
            double[] values = new double[1 + random.nextInt(40)];
            int kinds = 2 + random.nextInt(3); // zeros only, with ones, with minus ones too
            for (int i = 0; i < values.length; i++) {
                values[i] = choices[random.nextInt(kinds)];
            }
            var batch = ColumnProfile.numeric("z");
            batch.update(values);
            var single = ColumnProfile.numeric("z");
            for (double v : values) {
                single.update(v);
            }
            String seen = java.util.Arrays.toString(values);
            assertThat(Double.doubleToRawLongBits(batch.min())).as(seen).isEqualTo(Double.doubleToRawLongBits(single.min()));
            assertThat(Double.doubleToRawLongBits(batch.max())).as(seen).isEqualTo(Double.doubleToRawLongBits(single.max()));
            // the quantile sketch is given the scan's range: its ends are the profile's
            assertThat(Double.doubleToRawLongBits(batch.quantileSketch().min())).as(seen)
                    .isEqualTo(Double.doubleToRawLongBits(single.min()));
            assertThat(Double.doubleToRawLongBits(batch.quantileSketch().max())).as(seen)
                    .isEqualTo(Double.doubleToRawLongBits(single.max()));
            assertThat(batch.mean()).as(seen).isCloseTo(single.mean(), within(1e-12));
            assertThat(batch.variance()).as(seen).isCloseTo(single.variance(), within(1e-12));
        }
        // signed zeros among non-finite values (the range is found again over the finite ones), and zeros outside the
        // part of the array that is added
        double[] mixed = {0.0, Double.NaN, 3, 2, 1, 5, 4, Double.POSITIVE_INFINITY, 6, 7, -0.0, 8};
        var withNonFinite = ColumnProfile.numeric("z");
        withNonFinite.update(mixed);
        assertThat(Double.doubleToRawLongBits(withNonFinite.min())).isEqualTo(Double.doubleToRawLongBits(-0.0));
        assertThat(Double.doubleToRawLongBits(withNonFinite.quantileSketch().min()))
                .isEqualTo(Double.doubleToRawLongBits(-0.0));
        assertThat(withNonFinite.max()).isEqualTo(8);
        double[] framed = {-0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.0};
        var inner = ColumnProfile.numeric("z");
        inner.update(framed, 1, framed.length - 1); // only 0.0: the -0.0 at either end is not part of it
        assertThat(Double.doubleToRawLongBits(inner.min())).isEqualTo(Double.doubleToRawLongBits(0.0));
        assertThat(Double.doubleToRawLongBits(inner.quantileSketch().min())).isEqualTo(Double.doubleToRawLongBits(0.0));
        // finite values whose sum overflows: the range of the values all the same
        double[] huge = new double[20];
        java.util.Arrays.fill(huge, Double.MAX_VALUE);
        huge[13] = -Double.MAX_VALUE / 4;
        var overflowing = ColumnProfile.numeric("x");
        overflowing.update(huge);
        assertThat(overflowing.min()).isEqualTo(-Double.MAX_VALUE / 4);
        assertThat(overflowing.max()).isEqualTo(Double.MAX_VALUE);
        assertThat(overflowing.quantileSketch().min()).isEqualTo(-Double.MAX_VALUE / 4);
        assertThat(overflowing.quantileSketch().max()).isEqualTo(Double.MAX_VALUE);
        assertThat(overflowing.validCount()).isEqualTo(20);
        // a long batch whose extremes come anywhere in it, among non-finite values
        double[] spread = new double[37];
        for (int at = 0; at < spread.length; at++) {
            for (int i = 0; i < spread.length; i++) {
                spread[i] = i % 5;
            }
            spread[at] = -8;
            spread[(at + 11) % spread.length] = 9;
            spread[(at + 5) % spread.length] = Double.NaN;
            var p = ColumnProfile.numeric("x");
            p.update(spread);
            assertThat(p.min()).isEqualTo(-8);
            assertThat(p.max()).isEqualTo(9);
            assertThat(p.nanCount()).isEqualTo(1);
            assertThat(p.quantileSketch().min()).isEqualTo(-8);
            assertThat(p.quantileSketch().max()).isEqualTo(9);
        }
    }

    @Test
    void batchesOfHugeValuesKeepAFiniteMean() {
        var p = ColumnProfile.numeric("x");
        p.update(new double[] {Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE / 2});
        assertThat(p.mean()).isCloseTo(Double.MAX_VALUE / 6 * 5, within(Double.MAX_VALUE * 1e-12));
        p.update(new double[] {Double.MAX_VALUE / 2});
        assertThat(p.mean()).isCloseTo(Double.MAX_VALUE * 0.75, within(Double.MAX_VALUE * 1e-12));
        assertThat(p.validCount()).isEqualTo(4);
    }

    @Test
    void rangesProfileLikeTheirValues() {
        double[] x = {9, 1, Double.NaN, 2, Double.NEGATIVE_INFINITY, 3, -5, 7};
        var range = ColumnProfile.numeric("x");
        range.update(x, 1, 6); // 1, NaN, 2, -inf, 3
        range.update(x, 6, 6);
        var copy = ColumnProfile.of(Column.numeric("x", 1, Double.NaN, 2, Double.NEGATIVE_INFINITY, 3));
        assertThat(range.count()).isEqualTo(copy.count()).isEqualTo(5);
        assertThat(range.nanCount()).isEqualTo(1);
        assertThat(range.infiniteCount()).isEqualTo(1);
        assertThat(range.min()).isEqualTo(1);
        assertThat(range.max()).isEqualTo(3);
        assertThat(range.mean()).isEqualTo(copy.mean()).isEqualTo(2.0);
        assertThat(range.quantile(1)).isEqualTo(3);
        assertThat(range.distinctEstimate()).isEqualTo(copy.distinctEstimate());
        var c = ColumnProfile.categorical("c");
        c.update(new String[] {"a", "b", null, "b"}, 1, 4);
        assertThat(c.count()).isEqualTo(3);
        assertThat(c.nullCount()).isEqualTo(1);
        assertThatThrownBy(() -> range.update(x, 5, 9)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> range.update(x, 3, 2)).isInstanceOf(IndexOutOfBoundsException.class);

        var profile = DatasetProfile.empty();
        profile.columnOf("x", ColumnProfile.Kind.NUMERIC).update(x, 0, 2);
        profile.addRows(2);
        assertThat(profile.columnOf("x", ColumnProfile.Kind.NUMERIC).count()).isEqualTo(2);
        assertThat(profile.rowCount()).isEqualTo(2);
        assertThatThrownBy(() -> profile.columnOf("x", ColumnProfile.Kind.CATEGORICAL))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("numeric");
    }

    @Test
    void categoricalProfile() {
        var p = ColumnProfile.of(Column.categorical("c", "a", "b", "a", null, "c", "a"));
        assertThat(p.count()).isEqualTo(6);
        assertThat(p.nullCount()).isEqualTo(1);
        assertThat(p.validCount()).isEqualTo(5);
        assertThat(p.frequentItems().get(0)).isEqualTo(new ColumnProfile.FrequentItem("a", 3, 3, 3));
        assertThat(p.frequentItemsMaxError()).isZero();
        assertThat(p.distinctEstimate()).isCloseTo(3, within(0.5));
        assertThat(p.mean()).isNaN();
    }

    @Test
    void bytesRoundTrip() {
        var rnd = new Random(8);
        double[] x = new double[100_000];
        String[] c = new String[100_000];
        for (int i = 0; i < x.length; i++) {
            x[i] = rnd.nextDouble() < 0.01 ? Double.NaN : rnd.nextGaussian();
            c[i] = rnd.nextDouble() < 0.02 ? null : "cat-" + rnd.nextInt(1000) + "-é";
        }
        var profile = DatasetProfile.of(Dataset.of(Column.numeric("x", x), Column.categorical("c", c)));
        byte[] bytes = profile.toBytes();
        assertThat(bytes.length).isLessThan(40_000);
        var back = DatasetProfile.fromBytes(bytes);
        assertThat(back.rowCount()).isEqualTo(100_000);
        for (String name : new String[] {"x", "c"}) {
            ColumnProfile a = profile.column(name);
            ColumnProfile b = back.column(name);
            assertThat(b.count()).isEqualTo(a.count());
            assertThat(b.nullCount()).isEqualTo(a.nullCount());
            assertThat(b.nanCount()).isEqualTo(a.nanCount());
            assertThat(b.validCount()).isEqualTo(a.validCount());
            assertThat(b.distinctEstimate()).isEqualTo(a.distinctEstimate());
            assertThat(b.toBytes()).isEqualTo(a.toBytes());
        }
        assertThat(back.column("x").mean()).isEqualTo(profile.column("x").mean());
        assertThat(back.column("x").quantile(0.9)).isEqualTo(profile.column("x").quantile(0.9));
        assertThat(back.column("c").frequentItems()).isEqualTo(profile.column("c").frequentItems());
    }

    @Test
    void aNumericProfileWithoutADistinctCountIsTheSameProfileLessTheCount() {
        var rnd = new Random(9);
        double[] x = new double[20_000];
        for (int i = 0; i < x.length; i++) {
            x[i] = i % 50 == 0 ? Double.NaN : rnd.nextGaussian();
        }
        var full = ColumnProfile.numeric("x");
        var lean = ColumnProfile.numericWithoutDistinctCount("x");
        full.update(x, 0, 12_000);
        lean.update(x, 0, 12_000);
        for (int i = 12_000; i < x.length; i++) {
            full.update(x[i]);
            lean.update(x[i]);
        }
        assertThat(full.hasDistinctCount()).isTrue();
        assertThat(lean.hasDistinctCount()).isFalse();
        assertThat(lean.count()).isEqualTo(full.count());
        assertThat(lean.nanCount()).isEqualTo(full.nanCount()).isPositive();
        assertThat(lean.mean()).isEqualTo(full.mean());
        assertThat(lean.variance()).isEqualTo(full.variance());
        assertThat(lean.quantile(0.3)).isEqualTo(full.quantile(0.3));
        assertThatThrownBy(lean::distinctEstimate).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("'x' keeps no distinct count");
        assertThatThrownBy(() -> lean.distinctBounds(2)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(lean::distinctCountSketch).isInstanceOf(IllegalStateException.class);

        // written without the sketch, as version 2; a profile with one is written as version 1 always was
        byte[] leanBytes = lean.toBytes();
        byte[] fullBytes = full.toBytes();
        assertThat(leanBytes[4]).isEqualTo((byte) 2);
        assertThat(fullBytes[4]).isEqualTo((byte) 1);
        assertThat(fullBytes.length - leanBytes.length).isGreaterThan(4_000); // the registers, all set here
        var back = ColumnProfile.fromBytes(leanBytes);
        assertThat(back.hasDistinctCount()).isFalse();
        assertThat(back.count()).isEqualTo(lean.count());
        assertThat(back.variance()).isEqualTo(lean.variance());
        assertThat(back.quantile(0.7)).isEqualTo(lean.quantile(0.7));
        assertThat(ColumnProfile.fromBytes(fullBytes).distinctEstimate()).isEqualTo(full.distinctEstimate());

        // merged, the count is kept only when both sides have one; the rest merges as usual
        assertThat(full.merge(full).hasDistinctCount()).isTrue();
        for (var merged : new ColumnProfile[] {full.merge(lean), lean.merge(full), lean.merge(lean)}) {
            assertThat(merged.hasDistinctCount()).isFalse();
            assertThat(merged.count()).isEqualTo(2 * full.count());
            assertThat(merged.mean()).isCloseTo(full.mean(), within(1e-12));
        }
        // a categorical profile always has one: its version-2 form is refused
        byte[] categorical = ColumnProfile.categorical("c").toBytes();
        categorical[4] = 2;
        assertThatThrownBy(() -> ColumnProfile.fromBytes(categorical)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("categorical without a distinct count");
    }

    @Test
    void profilesStoredBeforeVersionTwoStillReadAndAreWrittenTheSameWay() {
        // DatasetProfile.of(numeric x = 1.5, 2.5, -3, NaN; categorical c = a, b, null, a) as the code of commit d16391e
        // wrote it, before profiles without a distinct count existed
        String stored = "4c504450010000000000000004000000024c504350010001630100000000000000040000000000000001000000000000" +
                "0000000000000000000000000000000000037ff0000000000000fff00000000000000000000000000000000000000000" +
                "00000c000000000200e20101e00600000100000000000000000300000000000000000000000200000001610000000000" +
                "000002000000016200000000000000014c50435001000178000000000000000004000000000000000000000000000000" +
                "0100000000000000000000000000000003c00800000000000040040000000000003fd555555555555540312aaaaaaaaa" +
                "ab0c000000000305cd010784010f6d0300c80000000000000003c008000000000000400400000000000001000000033f" +
                "f80000000000004004000000000000c008000000000000";
        byte[] bytes = java.util.HexFormat.of().parseHex(stored);
        var back = DatasetProfile.fromBytes(bytes);
        assertThat(back.column("x").hasDistinctCount()).isTrue();
        assertThat(back.column("x").distinctEstimate()).isCloseTo(3, within(0.1));
        assertThat(back.column("x").mean()).isCloseTo(1.0 / 3, within(1e-12));
        assertThat(back.column("c").distinctEstimate()).isCloseTo(2, within(0.1));
        assertThat(back.toBytes()).isEqualTo(bytes);
        assertThat(DatasetProfile.of(Dataset.of(Column.numeric("x", 1.5, 2.5, -3, Double.NaN),
                Column.categorical("c", "a", "b", null, "a"))).toBytes()).isEqualTo(bytes);
    }

    @Test
    void aDatasetProfileMadeWithoutNumericDistinctCountsKeepsThatThroughMergesAndBytes() {
        var lean = DatasetProfile.empty(false);
        lean.update(Dataset.of(Column.numeric("x", 1, 2, 3), Column.categorical("c", "a", "b", "a")));
        lean.columnOf("y", ColumnProfile.Kind.NUMERIC).update(4);
        assertThat(lean.column("x").hasDistinctCount()).isFalse();
        assertThat(lean.column("y").hasDistinctCount()).isFalse();
        assertThat(lean.column("c").hasDistinctCount()).isTrue();
        assertThat(lean.column("c").distinctEstimate()).isCloseTo(2, within(0.1));
        var full = DatasetProfile.of(Dataset.of(Column.numeric("x", 5, 6), Column.numeric("z", 7, 8)));
        assertThat(full.column("x").hasDistinctCount()).isTrue();
        var merged = full.merge(lean);
        assertThat(merged.column("x").hasDistinctCount()).isFalse(); // one side lacks it
        assertThat(merged.column("y").hasDistinctCount()).isFalse(); // only on the lean side
        assertThat(merged.column("z").hasDistinctCount()).isTrue(); // only on the full side: its count is the union's
        assertThat(merged.column("x").count()).isEqualTo(5);
        var back = DatasetProfile.fromBytes(lean.toBytes());
        assertThat(back.column("x").hasDistinctCount()).isFalse();
        assertThat(back.column("c").hasDistinctCount()).isTrue();
        assertThat(lean.without(java.util.List.of("y")).column("x").hasDistinctCount()).isFalse();
        // columns created later follow the profile's choice
        back.columnOf("w", ColumnProfile.Kind.NUMERIC);
        assertThat(back.column("w").hasDistinctCount()).isFalse();
        merged.columnOf("w", ColumnProfile.Kind.NUMERIC);
        assertThat(merged.column("w").hasDistinctCount()).isFalse();
        full.columnOf("w", ColumnProfile.Kind.NUMERIC);
        assertThat(full.column("w").hasDistinctCount()).isTrue();
    }

    @Test
    void parallelProfilingEqualsSequential() {
        var rnd = new Random(6);
        double[] a = new double[30_000];
        double[] b = new double[30_000];
        String[] c = new String[30_000];
        for (int i = 0; i < a.length; i++) {
            a[i] = rnd.nextGaussian();
            b[i] = rnd.nextDouble();
            c[i] = "k" + rnd.nextInt(500);
        }
        var data = Dataset.of(Column.numeric("a", a), Column.numeric("b", b), Column.categorical("c", c));
        assertThat(DatasetProfile.of(data, 3).toBytes()).isEqualTo(DatasetProfile.of(data).toBytes());
    }

    @Test
    void badInputIsRejected() {
        var num = ColumnProfile.numeric("age");
        assertThatThrownBy(() -> num.update("x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'age'");
        assertThatThrownBy(() -> num.merge(ColumnProfile.categorical("age")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("age");
        assertThatThrownBy(() -> num.merge(ColumnProfile.numeric("height")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("height");
        assertThatThrownBy(() -> ColumnProfile.fromBytes(new byte[] {1, 2, 3}))
                .isInstanceOf(IllegalArgumentException.class);
        byte[] good = DatasetProfile.of(Dataset.of(Column.numeric("x", 1, 2, 3))).toBytes();
        assertThatThrownBy(() -> DatasetProfile.fromBytes(java.util.Arrays.copyOf(good, good.length - 5)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> num.quantile(1.5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("quantile");
        var p = DatasetProfile.of(Dataset.of(Column.numeric("x", 1)));
        assertThatThrownBy(() -> p.update(Dataset.of(Column.categorical("x", "a"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'x'");
        assertThatThrownBy(() -> p.column("nope")).isInstanceOf(IllegalArgumentException.class);
    }
}
