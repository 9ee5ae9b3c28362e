package dev.launchpad.platform.monitor;

import java.util.List;

/**
 * The columns of one served request as monitoring sees them: each feature is numeric ({@code double[]},
 * NaN for a missing value) or categorical ({@code String[]}, null for a missing value), one value per row.
 * Built from request tensors or tables by the serving layer; profiles and samples are updated from it.
 */
public record FeatureBatch(int rows, List<Feature> features) {

    public FeatureBatch {
        features = List.copyOf(features);
        for (var f : features) {
            if (f.size() != rows) {
                throw new IllegalArgumentException("feature '" + f.name() + "' has " + f.size() + " values for " + rows + " rows");
            }
        }
    }

    /** An empty batch (no features). */
    public static FeatureBatch empty(int rows) {
        return new FeatureBatch(rows, List.of());
    }

    /** One feature's values: exactly one of {@code numbers} and {@code strings} is set. */
    public record Feature(String name, double[] numbers, String[] strings) {
        public Feature {
            if ((numbers == null) == (strings == null)) {
                throw new IllegalArgumentException("feature '" + name + "' needs numbers or strings");
            }
        }

        public static Feature numeric(String name, double[] values) {
            return new Feature(name, values, null);
        }

        public static Feature categorical(String name, String[] values) {
            return new Feature(name, null, values);
        }

        public boolean numeric() {
            return numbers != null;
        }

        public int size() {
            return numbers != null ? numbers.length : strings.length;
        }
    }
}
