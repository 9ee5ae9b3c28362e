package dev.launchpad.platform.monitor;

import dev.launchpad.stats.profile.ColumnProfile;
import dev.launchpad.stats.profile.DatasetProfile;

import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Requests' features on their way into a window's {@link DatasetProfile}: each feature's values are appended
 * to its own buffer, and the profile is updated once per {@link #CHUNK_ROWS} rows instead of once per request.
 * Profiling long runs of one column is several times cheaper than profiling many short ones (the sketches' fixed
 * cost per update is paid once per chunk, and one column's sketches stay in cache while its run is added), and
 * the result is the same profile. Not thread-safe: one writer.
 */
final class ProfileBuffer {
    /** Rows buffered before they are profiled. */
    static final int CHUNK_ROWS = 512;

    private final DatasetProfile profile;
    private final Map<String, Column> columns = new HashMap<>();
    private long bufferedRows;
    // the last batch's features, resolved: requests of one deployment nearly always have the same features
    private String[] layoutNames = new String[0];
    private boolean[] layoutNumeric = new boolean[0];
    private Column[] layout = new Column[0];
    private List<String> layoutMatrixNames; // the names list of the last matrix batch, when it was one

    ProfileBuffer(DatasetProfile profile) {
        this.profile = profile;
    }

    /** One feature's buffered values. */
    private static final class Column {
        final String name;
        final boolean numeric;
        double[] numbers;
        String[] strings;
        int size;
        ColumnProfile target; // the profile's column, once looked up

        Column(String name, boolean numeric) {
            this.name = name;
            this.numeric = numeric;
        }

        /** Adds the first {@code n} values (numbers, or else strings) to this feature's column of the profile. */
        void profile(DatasetProfile profile, double[] someNumbers, String[] someStrings, int n) {
            if (target == null) {
                target = profile.columnOf(name, numeric ? ColumnProfile.Kind.NUMERIC : ColumnProfile.Kind.CATEGORICAL);
            }
            if (numeric) {
                target.update(someNumbers, 0, n);
            } else {
                target.update(someStrings, 0, n);
            }
        }

        /** Appends feature j of {@code batch}. */
        void append(FeatureBatch batch, int j) {
            int n = batch.rows();
            if (numeric) {
                if (numbers == null || size + n > numbers.length) {
                    numbers = Arrays.copyOf(numbers == null ? new double[0] : numbers, Math.max(size + n, CHUNK_ROWS));
                }
                batch.copyNumbers(j, numbers, size);
            } else {
                if (strings == null || size + n > strings.length) {
                    strings = Arrays.copyOf(strings == null ? new String[0] : strings, Math.max(size + n, CHUNK_ROWS));
                }
                batch.copyStrings(j, strings, size);
            }
            size += n;
        }

        void drainInto(DatasetProfile profile) {
            if (size == 0) {
                return;
            }
            try {
                profile(profile, numbers, strings, size);
                if (strings != null) {
                    Arrays.fill(strings, 0, size, null);
                }
            } finally {
                size = 0; // what could not be profiled is not offered again
            }
        }

        void release() {
            numbers = null;
            strings = null;
        }
    }

    /**
     * Buffers every feature of {@code batch}; returns how many values were left out because their feature changed
     * kind (numeric vs categorical), has no name or one too long to store, appeared twice in the batch, or came after
     * the window's {@link FeatureBatch#MAX_FEATURES} features.
     */
    long add(FeatureBatch batch) {
        var targets = resolve(batch);
        long skipped = 0;
        if (batch.rows() >= CHUNK_ROWS) {
            // a chunk on its own (a reference dataset, a large request): profiled in place, not copied
            settle();
            var features = batch.features();
            for (int i = 0; i < targets.length; i++) {
                if (targets[i] == null) {
                    skipped += batch.rows();
                    continue;
                }
                var f = features.get(i);
                targets[i].profile(profile, f.numbers(), f.strings() == null ? null : FeatureBatch.bounded(f.strings()),
                        batch.rows());
            }
            profile.addRows(batch.rows());
            return skipped;
        }
        for (int i = 0; i < targets.length; i++) {
            if (targets[i] == null) {
                skipped += batch.rows();
            } else {
                targets[i].append(batch, i);
            }
        }
        bufferedRows += batch.rows();
        if (bufferedRows >= CHUNK_ROWS) {
            settle();
        }
        return skipped;
    }

    /** Profiles everything buffered; the profile is then complete. */
    void settle() {
        if (bufferedRows == 0) {
            return;
        }
        try {
            for (var c : columns.values()) {
                c.drainInto(profile);
            }
        } finally {
            profile.addRows(bufferedRows);
            bufferedRows = 0;
        }
    }

    /** Settles and lets go of the buffers (a window that was cut takes no more rows). */
    void release() {
        settle();
        for (var c : columns.values()) {
            c.release();
        }
    }

    private Column[] resolve(FeatureBatch batch) {
        var matrixNames = batch.matrixNames();
        if (matrixNames != null && matrixNames == layoutMatrixNames) {
            return layout; // the same names list as the last batch: the same features
        }
        int n = batch.width();
        if (n == layout.length) {
            boolean same = true;
            for (int i = 0; i < n && same; i++) {
                same = layoutNumeric[i] == batch.numeric(i) && Objects.equals(layoutNames[i], batch.name(i));
            }
            if (same) {
                layoutMatrixNames = matrixNames;
                return layout;
            }
        }
        var names = new String[n];
        var numeric = new boolean[n];
        var resolved = new Column[n];
        var seen = new HashSet<String>();
        for (int i = 0; i < n; i++) {
            String name = batch.name(i);
            names[i] = name;
            numeric[i] = batch.numeric(i);
            if (!FeatureBatch.profiledName(name) || !seen.add(name)) {
                continue; // no name, a name too long to store, or a repeated one: not profiled
            }
            var c = columns.get(name);
            if (c == null) {
                if (columns.size() >= FeatureBatch.MAX_FEATURES) {
                    continue; // as many features as a window profiles
                }
                var existing = profile.columns().get(name);
                c = new Column(name, existing == null ? numeric[i] : existing.kind() == ColumnProfile.Kind.NUMERIC);
                columns.put(name, c);
            }
            resolved[i] = c.numeric == numeric[i] ? c : null;
        }
        layoutNames = names;
        layoutNumeric = numeric;
        layout = resolved;
        layoutMatrixNames = matrixNames;
        return resolved;
    }
}
