#!/usr/bin/env python3
"""Writes scipy_reference.json: seeded samples and the drift scores scipy/numpy compute for them.

The Java tests (dev.launchpad.stats.drift.ScipyCrossCheckTest) read the samples from the JSON, so both
sides use identical data, and compare with the values below. Regenerate with
    python3 launchpad-stats/src/test/resources/drift/scipy_reference.py
(written with scipy 1.17.1, numpy 2.4.6). Binned scores follow Evidently's get_binned_data: Sturges
bins over reference+current when the reference has more than 20 distinct values, else one bin per value.
"""
import json
import os
import warnings

import numpy as np
from scipy import stats
from scipy.spatial import distance

warnings.simplefilter("ignore")  # anderson_ksamp warns about capped p-values and `variant`


def binned(ref, cur, fill):
    if len(np.unique(ref)) > 20:
        bins = np.histogram_bin_edges(np.concatenate([ref, cur]), bins="sturges")
        r = np.histogram(ref, bins)[0] / len(ref)
        c = np.histogram(cur, bins)[0] / len(cur)
    else:
        keys = np.union1d(ref, cur)
        r = np.array([np.sum(ref == k) for k in keys]) / len(ref)
        c = np.array([np.sum(cur == k) for k in keys]) / len(cur)
    if fill:
        r, c = fill_zeros(r), fill_zeros(c)
    return r, c


def fill_zeros(p):
    p = p.astype(float).copy()
    m = p[p != 0].min()
    p[p == 0] = m / 10**6 if m <= 0.0001 else 0.0001
    return p


def hellinger_numeric(ref, cur):
    keys = np.union1d(ref, cur)
    bins = np.histogram_bin_edges(keys, bins="sturges")
    h1 = np.histogram(ref, bins=bins, density=True)[0]
    h2 = np.histogram(cur, bins=bins, density=True)[0]
    width = (max(bins) - min(bins)) / (len(bins) - 1)
    s = float(np.sum(np.sqrt(h1 * h2) * width))
    return float(np.sqrt(1 - np.clip(s, 0, 1)))


def numeric_case(name, ref, cur):
    ref = np.round(ref, 6)
    cur = np.round(cur, 6)
    ks = stats.ks_2samp(ref, cur)
    ad = stats.anderson_ksamp([ref, cur])  # midrank, scipy's interpolated p-value
    cvm = stats.cramervonmises_2samp(ref, cur, method="asymptotic")
    wd = stats.wasserstein_distance(ref, cur)
    js_r, js_c = binned(ref, cur, False)
    f_r, f_c = binned(ref, cur, True)
    return {
        "name": name,
        "reference": ref.tolist(),
        "current": cur.tolist(),
        "ks_statistic": float(ks.statistic),
        "ks_pvalue": float(ks.pvalue),
        "wasserstein": float(wd),
        "wasserstein_normed": float(wd / max(np.std(ref), 0.001)),
        "energy": float(stats.energy_distance(ref, cur)),
        "anderson_statistic": float(ad.statistic),
        "anderson_pvalue": float(ad.pvalue),
        "cvm_statistic": float(cvm.statistic),
        "cvm_pvalue": float(cvm.pvalue),
        "jensenshannon": float(distance.jensenshannon(js_r, js_c)),
        "psi": float(np.sum((f_r - f_c) * np.log(f_r / f_c))),
        "kl_div": float(stats.entropy(f_r, f_c)),
        "linf": float(np.max(np.abs(js_r - js_c))),
        "hellinger": hellinger_numeric(ref, cur),
    }


def categorical_case(name, ref, cur):
    keys = sorted(set(ref) | set(cur))
    rc = np.array([ref.count(k) for k in keys], dtype=float)
    cc = np.array([cur.count(k) for k in keys], dtype=float)
    f_exp = rc * (len(cur) / len(ref))
    chi = stats.chisquare(cc, f_exp)
    r, c = rc / len(ref), cc / len(cur)
    out = {
        "name": name,
        "reference": ref,
        "current": cur,
        "chisquare_statistic": float(chi.statistic),
        "chisquare_pvalue": float(chi.pvalue),
        "jensenshannon": float(distance.jensenshannon(r, c)),
        "psi": float(np.sum((fill_zeros(r) - fill_zeros(c)) * np.log(fill_zeros(r) / fill_zeros(c)))),
        "kl_div": float(stats.entropy(fill_zeros(r), fill_zeros(c))),
        "linf": float(np.max(np.abs(r - c))),
        "hellinger": float(np.sqrt(1 - np.clip(np.sum(np.sqrt(r * c)), 0, 1))),
    }
    if len(keys) == 2:
        # two-proportion z-test, first key = 0 (Evidently's proportions_diff_z_stat_ind)
        n1, n2 = len(ref), len(cur)
        p1 = sum(1 for v in ref if v != keys[0]) / n1
        p2 = sum(1 for v in cur if v != keys[0]) / n2
        pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
        z = (p1 - p2) / np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
        out["z_statistic"] = float(z)
        out["z_pvalue"] = float(2 * (1 - stats.norm.cdf(abs(z))))
    return out


def main():
    rng = np.random.default_rng(20261123)
    numeric = [
        numeric_case("normal_small_shift", rng.normal(0, 1, 200), rng.normal(0.3, 1, 150)),
        numeric_case("normal_same", rng.normal(5, 2, 3000), rng.normal(5, 2, 2500)),
        numeric_case("lognormal_large_asymptotic", rng.lognormal(0, 0.5, 12000), rng.lognormal(0.02, 0.5, 11000)),
        numeric_case("integer_ties", np.round(rng.normal(10, 3, 500)), np.round(rng.normal(10.5, 3, 600))),
        numeric_case("uniform_scale", rng.uniform(0, 1, 60), rng.uniform(0, 1.4, 45)),
        numeric_case("few_values", rng.integers(0, 8, 400).astype(float), rng.integers(0, 9, 300).astype(float)),
    ]
    cats = ["red", "green", "blue", "black"]
    categorical = [
        categorical_case("four_colours", list(rng.choice(cats, 800, p=[.4, .3, .2, .1])),
                         list(rng.choice(cats, 700, p=[.35, .3, .2, .15]))),
        categorical_case("binary", list(rng.choice(["yes", "no"], 900, p=[.6, .4])),
                         list(rng.choice(["yes", "no"], 500, p=[.52, .48]))),
        categorical_case("new_category", list(rng.choice(cats[:3], 300)), list(rng.choice(cats, 300))),
    ]
    out = {"scipy": __import__("scipy").__version__, "numpy": np.__version__,
           "numeric": numeric, "categorical": categorical}
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "scipy_reference.json")
    with open(path, "w") as f:
        json.dump(out, f, separators=(",", ":"))
    print("wrote", path)


if __name__ == "__main__":
    main()
