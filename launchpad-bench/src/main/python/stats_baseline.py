#!/usr/bin/env python3
"""numpy/scipy baseline for dev.launchpad.bench.stats.StatsBenchmark (same shapes, same computations).

Data: 1 000 000 rows x 20 numeric columns, reference and current; normal columns with per-column
mean and spread, every other current column shifted by 0.2 sd, 0.1 % NaN.

* drift report: per column, drop NaN, then Evidently's default for > 1000 reference rows and > 5
  distinct values, scipy.stats.wasserstein_distance / max(np.std(reference), 0.001) >= 0.1.
  The baseline skips Evidently's distinct-value count (pandas nunique) and its dataframe handling,
  so it is a lower bound for Evidently's own time.
* profiles: per column, counts of NaN, min, max, mean, variance, seven exact quantiles
  (np.quantile) and the exact distinct count (np.unique), for reference and current.

Each task runs with 1 and 2 threads (a ThreadPoolExecutor over columns; numpy releases the GIL in
sorts and reductions). Timings: best and median of 5 runs after 1 warm-up.

    python3 launchpad-bench/src/main/python/stats_baseline.py
"""
import concurrent.futures
import json
import statistics
import time

import numpy as np
import scipy
from scipy import stats

ROWS = 1_000_000
COLUMNS = 20


def generate(seed, shifted):
    rng = np.random.default_rng(seed)
    cols = []
    for c in range(COLUMNS):
        mean, sd = c * 10.0, 1.0 + c
        shift = 0.2 * sd if shifted and c % 2 == 1 else 0.0
        x = mean + shift + sd * rng.standard_normal(ROWS)
        x[rng.random(ROWS) < 0.001] = np.nan
        cols.append(x)
    return cols


def drift_column(ref, cur):
    r = ref[np.isfinite(ref)]
    c = cur[np.isfinite(cur)]
    d = stats.wasserstein_distance(r, c) / max(np.std(r), 0.001)
    return d >= 0.1


def profile_column(x):
    nan = int(np.isnan(x).sum())
    v = x[~np.isnan(x)]
    return (len(x), nan, v.min(), v.max(), v.mean(), v.var(ddof=1),
            np.quantile(v, [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99]), np.unique(v).size)


def run(task, pool):
    if pool is None:
        return [task(i) for i in range(COLUMNS)]
    return list(pool.map(task, range(COLUMNS)))


def timed(fn, repeats=5):
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times), statistics.median(times)


def main():
    ref = generate(1, False)
    cur = generate(2, True)
    results = {"numpy": np.__version__, "scipy": scipy.__version__}
    for threads in (1, 2):
        pool = None if threads == 1 else concurrent.futures.ThreadPoolExecutor(threads)
        drifted = run(lambda i: drift_column(ref[i], cur[i]), pool)
        assert sum(drifted) == COLUMNS // 2, drifted
        best, med = timed(lambda: run(lambda i: drift_column(ref[i], cur[i]), pool))
        results[f"drift_report_threads_{threads}_s"] = {"best": best, "median": med}
        best, med = timed(lambda: (run(lambda i: profile_column(ref[i]), pool), run(lambda i: profile_column(cur[i]), pool)))
        results[f"profiles_threads_{threads}_s"] = {"best": best, "median": med}
        if pool is not None:
            pool.shutdown()
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
