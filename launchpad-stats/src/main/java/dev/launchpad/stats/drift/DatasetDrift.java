package dev.launchpad.stats.drift;

import java.util.List;

/**
 * Dataset-level drift as Evidently computes it: the dataset drifts when the share of drifted
 * columns is at least {@code driftShare}.
 *
 * @param columns one verdict per compared column, in the reference's column order
 * @param driftedColumns how many columns drifted
 * @param shareOfDriftedColumns {@code driftedColumns / columns.size()} (0 when there are no columns)
 * @param driftShare the share that makes the dataset drift
 * @param datasetDrift whether the dataset drifted
 */
public record DatasetDrift(List<ColumnDrift> columns, int driftedColumns, double shareOfDriftedColumns,
                           double driftShare, boolean datasetDrift) {

    public DatasetDrift {
        columns = List.copyOf(columns);
    }

    /** Builds the summary from per-column verdicts. */
    public static DatasetDrift of(List<ColumnDrift> columns, double driftShare) {
        int drifted = (int) columns.stream().filter(ColumnDrift::drifted).count();
        double share = columns.isEmpty() ? 0.0 : (double) drifted / columns.size();
        return new DatasetDrift(columns, drifted, share, driftShare, !columns.isEmpty() && share >= driftShare);
    }

    /** The verdict for one column, or an {@link IllegalArgumentException} naming it. */
    public ColumnDrift column(String name) {
        return columns.stream().filter(c -> c.column().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no drift result for column '" + name + "'"));
    }
}
