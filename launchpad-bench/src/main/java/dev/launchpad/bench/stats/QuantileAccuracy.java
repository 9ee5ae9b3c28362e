package dev.launchpad.bench.stats;

import dev.launchpad.stats.sketch.QuantileSketch;

import java.util.Arrays;
import java.util.Random;

/**
 * How far the quantile sketch's ranks are from the true ones on long streams fed in chunks, as monitoring feeds it:
 * for each seed, a stream of normal values in chunks of 512, and the largest rank error over the 199 quantiles
 * 0.005 … 0.995; prints the mean, median and worst over seeds. An accuracy measurement, not a timing.
 *
 * <p>{@code java -cp launchpad-bench/target/benchmarks.jar dev.launchpad.bench.stats.QuantileAccuracy 10000000 10}
 */
public final class QuantileAccuracy {
    private QuantileAccuracy() {
    }

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000_000;
        int seeds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        double[] worst = new double[seeds];
        double bound = 0;
        for (int s = 0; s < seeds; s++) {
            var random = new Random(7_919L * s + 1);
            double[] data = new double[n];
            for (int i = 0; i < n; i++) {
                data[i] = random.nextGaussian();
            }
            var sketch = new QuantileSketch();
            for (int i = 0; i < n; i += 512) {
                sketch.update(data, i, Math.min(n, i + 512));
            }
            bound = sketch.normalizedRankError();
            Arrays.sort(data);
            for (int k = 1; k < 200; k++) {
                double x = data[(int) ((long) n * k / 200)];
                int last = Arrays.binarySearch(data, x);
                while (last + 1 < n && data[last + 1] == x) {
                    last++;
                }
                double error = Math.abs(sketch.rank(x, true) - (last + 1) / (double) n);
                worst[s] = Math.max(worst[s], error);
            }
        }
        double mean = Arrays.stream(worst).average().orElse(Double.NaN);
        Arrays.sort(worst);
        System.out.printf("%d values in chunks of 512, %d seeds: largest rank error over 199 quantiles: mean %.3f %%,"
                + " median %.3f %%, worst %.3f %% (the sketch's 99 %% bound: %.3f %%)%n", n, seeds, 100 * mean,
                100 * worst[seeds / 2], 100 * worst[seeds - 1], 100 * bound);
    }
}
