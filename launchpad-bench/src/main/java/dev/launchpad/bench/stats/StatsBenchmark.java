package dev.launchpad.bench.stats;

import dev.launchpad.stats.Column;
import dev.launchpad.stats.Dataset;
import dev.launchpad.stats.drift.DatasetDrift;
import dev.launchpad.stats.drift.DriftDetector;
import dev.launchpad.stats.drift.DriftOptions;
import dev.launchpad.stats.profile.ColumnProfile;
import dev.launchpad.stats.profile.DatasetProfile;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * launchpad-stats at scale: the full drift report (Evidently's automatic test choice, here normed
 * Wasserstein for every column) and profile building, over 1 000 000 rows × 20 numeric columns of
 * reference and current data, on 1 and 2 threads. Compare with
 * {@code launchpad-bench/src/main/python/stats_baseline.py} (numpy/scipy) on the same machine.
 *
 * <pre>
 * java -Xmx6g -jar launchpad-bench/target/benchmarks.jar 'dev.launchpad.bench.stats.StatsBenchmark'
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgsAppend = {"-Xmx6g", "-Xms6g"})
public class StatsBenchmark {
    /** Rows per dataset. */
    public static final int ROWS = 1_000_000;
    /** Numeric columns per dataset. */
    public static final int COLUMNS = 20;

    @Param({"1", "2"})
    public int threads;

    private Dataset reference;
    private Dataset current;

    @Setup
    public void setUp() {
        reference = generate(ROWS, COLUMNS, 1, false);
        current = generate(ROWS, COLUMNS, 2, true);
    }

    /**
     * Normal columns with per-column mean and spread; in the current data every other column is shifted by
     * 0.2 standard deviations (so half the columns drift) and 0.1 % of the values are NaN.
     */
    public static Dataset generate(int rows, int columns, long seed, boolean shifted) {
        SplittableRandom random = new SplittableRandom(seed);
        List<Column> out = new ArrayList<>(columns);
        for (int c = 0; c < columns; c++) {
            double mean = c * 10.0;
            double sd = 1.0 + c;
            double shift = shifted && c % 2 == 1 ? 0.2 * sd : 0.0;
            double[] values = new double[rows];
            for (int i = 0; i < rows; i++) {
                values[i] = random.nextDouble() < 0.001 ? Double.NaN : mean + shift + sd * gaussian(random);
            }
            out.add(Column.numeric("f" + c, values));
        }
        return Dataset.of(out);
    }

    private static double gaussian(SplittableRandom r) {
        // Box–Muller (one of the pair)
        double u = 1.0 - r.nextDouble();
        double v = r.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    /** The full drift report: every column compared with the automatically chosen test. */
    @Benchmark
    public DatasetDrift driftReport() {
        DatasetDrift report = DriftDetector.report(reference, current, DriftOptions.defaults().withParallelism(threads));
        if (report.driftedColumns() != COLUMNS / 2) {
            throw new IllegalStateException("expected " + COLUMNS / 2 + " drifted columns, got " + report.driftedColumns());
        }
        return report;
    }

    /** Profiles of reference and current data: 2 × 20 M values through counters, moments, KLL and HLL. */
    @Benchmark
    public long profiles() {
        DatasetProfile r = DatasetProfile.of(reference, threads);
        DatasetProfile c = DatasetProfile.of(current, threads);
        return r.rowCount() + c.rowCount();
    }

    /** One column's profile update loop, to report nanoseconds per value (1 M values per op). */
    @Benchmark
    public ColumnProfile profileOneColumn() {
        return ColumnProfile.of(reference.column("f3"));
    }
}
