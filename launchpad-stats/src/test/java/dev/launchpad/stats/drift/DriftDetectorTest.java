package dev.launchpad.stats.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.launchpad.stats.Column;
import dev.launchpad.stats.Dataset;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DriftDetectorTest {

    static double[] normal(Random rnd, int n, double mean, double sd) {
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = mean + sd * rnd.nextGaussian();
        }
        return out;
    }

    static String[] pick(Random rnd, int n, String... values) {
        String[] out = new String[n];
        for (int i = 0; i < n; i++) {
            out[i] = values[rnd.nextInt(values.length)];
        }
        return out;
    }

    @Test
    void defaultMethodFollowsEvidently() {
        assertThat(DriftDetector.defaultMethod(true, 1000, 6)).isEqualTo(DriftMethod.KS);
        assertThat(DriftDetector.defaultMethod(true, 1000, 5)).isEqualTo(DriftMethod.CHI_SQUARE);
        assertThat(DriftDetector.defaultMethod(true, 1000, 3)).isEqualTo(DriftMethod.CHI_SQUARE);
        assertThat(DriftDetector.defaultMethod(true, 1000, 2)).isEqualTo(DriftMethod.Z);
        assertThat(DriftDetector.defaultMethod(false, 1000, 30)).isEqualTo(DriftMethod.CHI_SQUARE);
        assertThat(DriftDetector.defaultMethod(false, 10, 2)).isEqualTo(DriftMethod.Z);
        assertThat(DriftDetector.defaultMethod(true, 1001, 6)).isEqualTo(DriftMethod.WASSERSTEIN);
        assertThat(DriftDetector.defaultMethod(true, 1001, 5)).isEqualTo(DriftMethod.JENSEN_SHANNON);
        assertThat(DriftDetector.defaultMethod(false, 5000, 50)).isEqualTo(DriftMethod.JENSEN_SHANNON);
    }

    @Test
    void reportChoosesPerColumnAndCountsDrift() {
        var rnd = new Random(7);
        var ref = Dataset.of(
                Column.numeric("small_numeric", normal(rnd, 500, 0, 1)),
                Column.categorical("colour", pick(rnd, 500, "r", "g", "b")),
                Column.categorical("flag", pick(rnd, 500, "y", "n")),
                Column.numeric("few", java.util.stream.IntStream.range(0, 500).mapToDouble(i -> i % 4).toArray()));
        var cur = Dataset.of(
                Column.numeric("small_numeric", normal(rnd, 400, 1.0, 1)),
                Column.categorical("colour", pick(rnd, 400, "r", "g", "b")),
                Column.categorical("flag", pick(rnd, 400, "y", "n")),
                Column.numeric("few", java.util.stream.IntStream.range(0, 400).mapToDouble(i -> i % 4).toArray()));
        DatasetDrift report = DriftDetector.report(ref, cur);
        assertThat(report.column("small_numeric").method()).isEqualTo(DriftMethod.KS);
        assertThat(report.column("small_numeric").drifted()).isTrue();
        assertThat(report.column("colour").method()).isEqualTo(DriftMethod.CHI_SQUARE);
        assertThat(report.column("flag").method()).isEqualTo(DriftMethod.Z);
        assertThat(report.column("few").method()).isEqualTo(DriftMethod.CHI_SQUARE);
        assertThat(report.column("few").drifted()).isFalse();
        assertThat(report.driftedColumns()).isEqualTo(1);
        assertThat(report.shareOfDriftedColumns()).isEqualTo(0.25);
        assertThat(report.datasetDrift()).isFalse();
        // every verdict carries its score, threshold and method, drifted or not
        for (ColumnDrift c : report.columns()) {
            assertThat(c.score()).isBetween(0.0, 1.0);
            assertThat(c.threshold()).isEqualTo(0.05);
            assertThat(c.scoreKind()).isEqualTo(DriftMethod.ScoreKind.P_VALUE);
        }
        assertThat(DriftDetector.report(ref, cur, DriftOptions.defaults().withDriftShare(0.25)).datasetDrift()).isTrue();
    }

    @Test
    void largeReferenceUsesWassersteinAndJensenShannon() {
        var rnd = new Random(11);
        var ref = Dataset.of(Column.numeric("x", normal(rnd, 5000, 0, 1)),
                Column.categorical("c", pick(rnd, 5000, "a", "b", "c")));
        var cur = Dataset.of(Column.numeric("x", normal(rnd, 5000, 0.5, 1)),
                Column.categorical("c", pick(rnd, 5000, "a", "b", "c")));
        var report = DriftDetector.report(ref, cur, DriftOptions.defaults().withParallelism(2));
        ColumnDrift x = report.column("x");
        assertThat(x.method()).isEqualTo(DriftMethod.WASSERSTEIN);
        assertThat(x.distance()).isBetween(0.4, 0.6); // a shift of half a standard deviation
        assertThat(x.drifted()).isTrue();
        assertThat(x.pValue()).isNaN();
        ColumnDrift c = report.column("c");
        assertThat(c.method()).isEqualTo(DriftMethod.JENSEN_SHANNON);
        assertThat(c.drifted()).isFalse();
        assertThat(c.threshold()).isEqualTo(0.1);
        assertThat(report.datasetDrift()).isTrue(); // 1 of 2 ≥ 0.5
    }

    @Test
    void overridesWinOverAutomaticChoice() {
        var rnd = new Random(3);
        var ref = Dataset.of(Column.numeric("x", normal(rnd, 300, 0, 1)));
        var cur = Dataset.of(Column.numeric("x", normal(rnd, 300, 0, 1)));
        var options = DriftOptions.defaults().withMethod(DriftMethod.KS).withMethod("x", DriftMethod.PSI)
                .withThreshold("x", 0.0);
        ColumnDrift x = DriftDetector.report(ref, cur, options).column("x");
        assertThat(x.method()).isEqualTo(DriftMethod.PSI);
        assertThat(x.threshold()).isEqualTo(0.0);
        assertThat(x.drifted()).isTrue(); // PSI ≥ 0 always
    }

    @Test
    void missingValuesAreDropped() {
        var ref = Column.numeric("x", 1, 2, Double.NaN, 3, 4, 5, 6, 7, Double.POSITIVE_INFINITY);
        var cur = Column.numeric("x", 1, 2, 3, 4, 5, 6, 7, Double.NaN);
        ColumnDrift d = DriftDetector.column(ref, cur);
        assertThat(d.referenceCount()).isEqualTo(7);
        assertThat(d.currentCount()).isEqualTo(7);
        assertThat(d.statistic()).isZero();
        assertThat(d.pValue()).isEqualTo(1.0);
        assertThat(d.drifted()).isFalse();
    }

    @Test
    void badInputIsRejectedWithTheColumnName() {
        var num = Column.numeric("age", 1, 2, 3);
        var cat = Column.categorical("age", "a", "b", "c");
        assertThatThrownBy(() -> DriftDetector.column(num, cat))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'age'");
        assertThatThrownBy(() -> DriftDetector.column(Column.numeric("age", Double.NaN), num))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'age'")
                .hasMessageContaining("no finite values");
        assertThatThrownBy(() -> DriftDetector.column(cat, cat, DriftOptions.defaults().withMethod(DriftMethod.KS)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("numeric columns only");
        assertThatThrownBy(() -> DriftDetector.report(Dataset.of(num), Dataset.of(Column.numeric("other", 1))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'age'");
        assertThatThrownBy(() -> DriftOptions.defaults().withDriftShare(1.5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("driftShare");
        assertThatThrownBy(() -> DriftMethod.fromId("nope")).isInstanceOf(IllegalArgumentException.class);
        assertThat(DriftMethod.fromId("jensenshannon")).isEqualTo(DriftMethod.JENSEN_SHANNON);
        assertThatThrownBy(() -> DriftTests.ks(new double[0], new double[] {1}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reference");
    }

    @Test
    void sturgesEdgesMatchNumpy() {
        // np.histogram_bin_edges([0, 1, 2, ..., 9], bins='sturges') -> 5 bins over [0, 9]
        double[] edges = Binning.sturgesEdges(0, 9, 10);
        assertThat(edges).containsExactly(0, 1.8, 3.6, 5.4, 7.2, 9.0);
        // 16 values: log2 is exact, 5 bins
        assertThat(Binning.sturgesEdges(0, 1, 16)).hasSize(6);
        assertThat(Binning.sturgesEdges(3, 3, 4)).containsExactly(2.5, 3.5);
        assertThat(Binning.histogramSorted(new double[] {0, 1, 1.8, 9, 9}, edges)).containsExactly(2, 1, 0, 0, 2);
    }
}
