package dev.launchpad.platform.monitor;

import dev.launchpad.stats.Column;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class RowSampleTest {
    /** The kept rows' values of a sample fed the row numbers 0 .. n-1 in batches of {@code batchRows}. */
    private static double[] keptRowNumbers(RowSample sample, int n, int batchRows) {
        for (int from = 0; from < n; from += batchRows) {
            int rows = Math.min(batchRows, n - from);
            var x = new double[rows];
            for (int r = 0; r < rows; r++) {
                x[r] = from + r;
            }
            sample.add(new FeatureBatch(rows, List.of(FeatureBatch.Feature.numeric("x", x))));
        }
        return ((Column.Numeric) sample.toDataset().column("x")).values();
    }

    @Test
    void everyRowIsKeptWithTheSameChanceWhateverTheBatchSizes() {
        int n = 60;
        int capacity = 6;
        int trials = 6_000;
        for (int batchRows : new int[] {1, 7, 32, 100}) {
            var counts = new int[n];
            for (int t = 0; t < trials; t++) {
                var sample = new RowSample(capacity, t);
                var kept = keptRowNumbers(sample, n, batchRows);
                assertThat(sample.seen()).isEqualTo(n);
                assertThat(kept).hasSize(capacity).doesNotHaveDuplicates();
                for (double v : kept) {
                    counts[(int) v]++;
                }
            }
            // each row is kept 600 times in expectation; chi-square over 60 rows (59 df: p ≈ 5e-6 at 120)
            double expected = (double) trials * capacity / n;
            double chi2 = 0;
            for (int c : counts) {
                chi2 += (c - expected) * (c - expected) / expected;
            }
            assertThat(chi2).as("batches of %d rows", batchRows).isLessThan(120);
        }
    }

    @Test
    void aLongStreamIsSampledEvenlyAcrossIt() {
        int n = 1_000_000;
        var sample = new RowSample(1_000, 11);
        var kept = keptRowNumbers(sample, n, 32);
        assertThat(sample.seen()).isEqualTo(n);
        assertThat(kept).hasSize(1_000).doesNotHaveDuplicates();
        // a uniform sample's values: a tenth in each tenth of the stream (within 5 standard deviations)
        var tenths = new int[10];
        for (double v : kept) {
            tenths[(int) (v * 10 / n)]++;
        }
        for (int c : tenths) {
            assertThat(c).isBetween(100 - 48, 100 + 48);
        }
    }

    @Test
    void aSampleReadBackKeepsSamplingUniformly() {
        var first = new RowSample(10, 3);
        keptRowNumbers(first, 100, 10);
        var back = RowSample.fromBytes(first.toBytes(), 4);
        var counts = new int[2];
        for (int t = 0; t < 2_000; t++) {
            var again = RowSample.fromBytes(first.toBytes(), t);
            var x = new double[100];
            java.util.Arrays.fill(x, -1.0); // 100 more rows, marked -1: each row of 200 kept with chance 10/200
            again.add(new FeatureBatch(100, List.of(FeatureBatch.Feature.numeric("x", x))));
            assertThat(again.seen()).isEqualTo(200);
            for (double v : ((Column.Numeric) again.toDataset().column("x")).values()) {
                counts[v == -1.0 ? 1 : 0]++;
            }
        }
        assertThat(back.seen()).isEqualTo(100);
        // half of the kept rows come from the second hundred: 10 000 of 20 000, σ about 69
        assertThat(counts[1]).isBetween(10_000 - 360, 10_000 + 360);
    }

    @Test
    void aMergedSampleWithRoomLeftStillWeighsEveryRowAlike() {
        // 1 000 rows seen by a sample of 100 and 10 by one of 1 000: their union's sample has the smaller capacity,
        // 100 rows standing for 1 010, about 99 of them from the first
        var counts = new int[2];
        for (int t = 0; t < 2_000; t++) {
            var a = new RowSample(100, 2 * t);
            keptRowNumbers(a, 1_000, 50);
            var b = new RowSample(1_000, 2 * t + 1);
            keptRowNumbers(b, 10, 10);
            var merged = a.merge(b);
            assertThat(merged.size()).isEqualTo(100);
            var x = new double[1_010];
            java.util.Arrays.fill(x, -1.0); // as many rows again: each of the 2 020 kept with the same chance
            merged.add(new FeatureBatch(x.length, List.of(FeatureBatch.Feature.numeric("x", x))));
            assertThat(merged.seen()).isEqualTo(2_020);
            assertThat(merged.size()).isEqualTo(100);
            for (double v : ((Column.Numeric) merged.toDataset().column("x")).values()) {
                counts[v == -1.0 ? 1 : 0]++;
            }
        }
        // half of 200 000 kept rows are new ones (σ about 220)
        assertThat(counts[1]).isBetween(100_000 - 1_200, 100_000 + 1_200);
    }

    @Test
    void minutesMergedOneByOneIntoAStoredHourAreEachTheirShareOfIt() {
        // as the hour row is kept: each minute's part merged into the stored row, read back with the hour's seed
        long hourSeed = 1_772_445_600_000L;
        var shareOfLastTen = new double[20];
        var shareOfFirstThirty = new double[20];
        for (int t = 0; t < shareOfLastTen.length; t++) {
            RowSample hour = null;
            for (int minute = 0; minute < 60; minute++) {
                var part = new RowSample(1_000, 31L * t + minute);
                var x = new double[6_000];
                java.util.Arrays.fill(x, minute);
                part.add(new FeatureBatch(x.length, List.of(FeatureBatch.Feature.numeric("x", x))));
                hour = hour == null ? part : RowSample.fromBytes(hour.toBytes(), hourSeed).merge(part);
            }
            assertThat(hour.size()).isEqualTo(1_000);
            assertThat(hour.seen()).isEqualTo(360_000);
            for (double v : ((Column.Numeric) hour.toDataset().column("x")).values()) {
                shareOfLastTen[t] += v >= 50 ? 1e-3 : 0;
                shareOfFirstThirty[t] += v < 30 ? 1e-3 : 0;
            }
        }
        // 1/6 and 1/2 of the hour (σ of a mean of 20 samples of 1 000 rows: about 0.003); weighted sampling of the
        // kept rows gave about 0.42 and 0.14
        assertThat(java.util.Arrays.stream(shareOfLastTen).average().orElseThrow()).isCloseTo(1.0 / 6, within(0.015));
        assertThat(java.util.Arrays.stream(shareOfFirstThirty).average().orElseThrow()).isCloseTo(0.5, within(0.015));
    }

    @Test
    void aSplitOfTwoFullSamplesFollowsTheRowsEachSaw() {
        // 60 000 rows seen against 1 000: 1 000 of the union's rows hold about 984 of the first (σ about 3.9)
        int fromFirst = 0;
        for (int t = 0; t < 200; t++) {
            var a = new RowSample(1_000, 2 * t);
            var b = new RowSample(1_000, 2 * t + 1);
            var x = new double[60_000];
            a.add(new FeatureBatch(x.length, List.of(FeatureBatch.Feature.numeric("x", x))));
            java.util.Arrays.fill(x, 1.0);
            b.add(new FeatureBatch(1_000, List.of(FeatureBatch.Feature.numeric("x", java.util.Arrays.copyOf(x, 1_000)))));
            for (double v : ((Column.Numeric) a.merge(b).toDataset().column("x")).values()) {
                fromFirst += v == 0 ? 1 : 0;
            }
        }
        assertThat(fromFirst / 200.0).isCloseTo(1_000 * 60_000 / 61_000.0, within(1.5));
    }
}
