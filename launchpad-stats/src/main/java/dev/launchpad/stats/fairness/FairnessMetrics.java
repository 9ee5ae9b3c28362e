package dev.launchpad.stats.fairness;

import dev.launchpad.stats.Checks;
import java.util.Map;
import java.util.TreeMap;

/**
 * Group-fairness metrics of binary predictions over one sensitive attribute, with Fairlearn's
 * between-group definitions (largest minus smallest rate, or smallest over largest) and AIF360's
 * privileged-versus-unprivileged ones when a privileged group is named.
 *
 * @param groups per-group rates, by group value (sorted)
 * @param demographicParityDifference max − min selection rate (Fairlearn)
 * @param demographicParityRatio min / max selection rate (Fairlearn)
 * @param equalizedOddsDifference max of the TPR and FPR between-group differences (Fairlearn)
 * @param equalOpportunityDifference max − min true positive rate (Fairlearn); with a privileged group,
 *        TPR(unprivileged) − TPR(privileged) (AIF360)
 * @param disparateImpact selection rate of the unprivileged over the privileged (AIF360); without a
 *        privileged group, the demographic parity ratio
 * @param passesFourFifthsRule {@code disparateImpact ≥ 0.8} (the EEOC four-fifths rule)
 * @param privilegedGroup the privileged group, or null
 */
public record FairnessMetrics(Map<String, GroupRates> groups, double demographicParityDifference,
                              double demographicParityRatio, double equalizedOddsDifference,
                              double equalOpportunityDifference, double disparateImpact,
                              boolean passesFourFifthsRule, String privilegedGroup) {

    /**
     * One group's counts and rates.
     *
     * @param count samples
     * @param selectionRate share predicted positive
     * @param truePositiveRate TP / actual positives (NaN without positives)
     * @param falsePositiveRate FP / actual negatives (NaN without negatives)
     */
    public record GroupRates(long count, long actualPositives, long predictedPositives, double selectionRate,
                             double truePositiveRate, double falsePositiveRate) {
    }

    public FairnessMetrics {
        groups = java.util.Collections.unmodifiableMap(new TreeMap<>(groups));
    }

    /** Between-group metrics (Fairlearn); the disparate impact is the min/max selection-rate ratio. */
    public static FairnessMetrics of(int[] yTrue, int[] yPred, String[] sensitive) {
        return of(yTrue, yPred, sensitive, null);
    }

    /**
     * Fairness metrics; when {@code privilegedGroup} is given, disparate impact and equal opportunity
     * difference compare the privileged group with all other groups pooled (AIF360).
     */
    public static FairnessMetrics of(int[] yTrue, int[] yPred, String[] sensitive, String privilegedGroup) {
        Checks.notNull(yTrue, "yTrue");
        Checks.notNull(yPred, "yPred");
        Checks.notNull(sensitive, "sensitive");
        Checks.sameLength(yTrue.length, yPred.length, "yTrue and yPred");
        Checks.sameLength(yTrue.length, sensitive.length, "yTrue and sensitive");
        if (yTrue.length == 0) {
            throw new IllegalArgumentException("yTrue must not be empty");
        }
        Map<String, long[]> counts = new TreeMap<>(); // n, pos, predPos, tp, fp, neg
        for (int i = 0; i < yTrue.length; i++) {
            if (sensitive[i] == null) {
                throw new IllegalArgumentException("sensitive must not contain null (index " + i + ")");
            }
            if ((yTrue[i] != 0 && yTrue[i] != 1) || (yPred[i] != 0 && yPred[i] != 1)) {
                throw new IllegalArgumentException("yTrue and yPred must hold 0 or 1 (index " + i + ")");
            }
            long[] c = counts.computeIfAbsent(sensitive[i], k -> new long[6]);
            c[0]++;
            c[1] += yTrue[i];
            c[2] += yPred[i];
            if (yTrue[i] == 1 && yPred[i] == 1) {
                c[3]++;
            }
            if (yTrue[i] == 0 && yPred[i] == 1) {
                c[4]++;
            }
            if (yTrue[i] == 0) {
                c[5]++;
            }
        }
        if (privilegedGroup != null && !counts.containsKey(privilegedGroup)) {
            throw new IllegalArgumentException("privileged group '" + privilegedGroup + "' does not occur in sensitive");
        }
        Map<String, GroupRates> groups = new TreeMap<>();
        for (var e : counts.entrySet()) {
            groups.put(e.getKey(), rates(e.getValue()));
        }
        double minSr = Double.POSITIVE_INFINITY;
        double maxSr = Double.NEGATIVE_INFINITY;
        double minTpr = Double.POSITIVE_INFINITY;
        double maxTpr = Double.NEGATIVE_INFINITY;
        double minFpr = Double.POSITIVE_INFINITY;
        double maxFpr = Double.NEGATIVE_INFINITY;
        for (GroupRates g : groups.values()) {
            minSr = Math.min(minSr, g.selectionRate());
            maxSr = Math.max(maxSr, g.selectionRate());
            if (!Double.isNaN(g.truePositiveRate())) {
                minTpr = Math.min(minTpr, g.truePositiveRate());
                maxTpr = Math.max(maxTpr, g.truePositiveRate());
            }
            if (!Double.isNaN(g.falsePositiveRate())) {
                minFpr = Math.min(minFpr, g.falsePositiveRate());
                maxFpr = Math.max(maxFpr, g.falsePositiveRate());
            }
        }
        double dpd = maxSr - minSr;
        double dpr = maxSr == 0 ? (minSr == 0 ? 1.0 : 0.0) : minSr / maxSr;
        double tprDiff = maxTpr >= minTpr ? maxTpr - minTpr : Double.NaN;
        double fprDiff = maxFpr >= minFpr ? maxFpr - minFpr : Double.NaN;
        double eod = Double.isNaN(tprDiff) ? fprDiff : Double.isNaN(fprDiff) ? tprDiff : Math.max(tprDiff, fprDiff);
        double eqOpp;
        double di;
        if (privilegedGroup == null) {
            eqOpp = tprDiff;
            di = dpr;
        } else {
            long[] priv = counts.get(privilegedGroup);
            long[] unpriv = new long[6];
            counts.forEach((k, c) -> {
                if (!k.equals(privilegedGroup)) {
                    for (int i = 0; i < 6; i++) {
                        unpriv[i] += c[i];
                    }
                }
            });
            if (unpriv[0] == 0) {
                throw new IllegalArgumentException("all samples are in the privileged group '" + privilegedGroup + "'");
            }
            GroupRates p = rates(priv);
            GroupRates u = rates(unpriv);
            eqOpp = u.truePositiveRate() - p.truePositiveRate();
            di = p.selectionRate() == 0 ? Double.NaN : u.selectionRate() / p.selectionRate();
        }
        return new FairnessMetrics(groups, dpd, dpr, eod, eqOpp, di, di >= 0.8, privilegedGroup);
    }

    private static GroupRates rates(long[] c) {
        double sr = (double) c[2] / c[0];
        double tpr = c[1] == 0 ? Double.NaN : (double) c[3] / c[1];
        double fpr = c[5] == 0 ? Double.NaN : (double) c[4] / c[5];
        return new GroupRates(c[0], c[1], c[2], sr, tpr, fpr);
    }
}
