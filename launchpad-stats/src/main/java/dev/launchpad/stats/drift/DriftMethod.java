package dev.launchpad.stats.drift;

import java.util.Locale;

/**
 * The drift tests, with Evidently's names, default thresholds and decision rules (and TFDV's
 * L-infinity distance). A p-value method flags drift when the p-value is below (or at) the
 * threshold; a distance method when the distance is above (or at) it.
 */
public enum DriftMethod {
    /** Two-sample Kolmogorov–Smirnov test (scipy {@code ks_2samp}); drift when p ≤ 0.05. */
    KS("ks", ScoreKind.P_VALUE, 0.05, Rule.AT_OR_BELOW, true, false),
    /** Chi-square goodness of fit of current counts against reference frequencies; drift when p &lt; 0.05. */
    CHI_SQUARE("chisquare", ScoreKind.P_VALUE, 0.05, Rule.BELOW, true, true),
    /** Two-proportion Z-test for binary columns; drift when p &lt; 0.05. */
    Z("z", ScoreKind.P_VALUE, 0.05, Rule.BELOW, true, true),
    /** Wasserstein-1 distance divided by the reference standard deviation (at least 0.001); drift when ≥ 0.1. */
    WASSERSTEIN("wasserstein", ScoreKind.DISTANCE, 0.1, Rule.AT_OR_ABOVE, true, false),
    /** Jensen–Shannon distance (natural log) of binned frequencies; drift when ≥ 0.1. */
    JENSEN_SHANNON("jensenshannon", ScoreKind.DISTANCE, 0.1, Rule.AT_OR_ABOVE, true, true),
    /** Population stability index of binned frequencies (empty bins filled); drift when ≥ 0.1. */
    PSI("psi", ScoreKind.DISTANCE, 0.1, Rule.AT_OR_ABOVE, true, true),
    /** Kullback–Leibler divergence KL(reference ‖ current) of binned frequencies; drift when ≥ 0.1. */
    KL_DIV("kl_div", ScoreKind.DISTANCE, 0.1, Rule.AT_OR_ABOVE, true, true),
    /** Hellinger distance; drift when ≥ 0.1. */
    HELLINGER("hellinger", ScoreKind.DISTANCE, 0.1, Rule.AT_OR_ABOVE, true, true),
    /** L-infinity distance of frequencies (TFDV / Vertex AI); drift when &gt; 0.3 (Vertex AI's default). */
    L_INFINITY("linf", ScoreKind.DISTANCE, 0.3, Rule.ABOVE, true, true),
    /** k-sample Anderson–Darling test (scipy {@code anderson_ksamp}, midrank); drift when p &lt; 0.1. */
    ANDERSON("anderson", ScoreKind.P_VALUE, 0.1, Rule.BELOW, true, false),
    /** Two-sample Cramér–von Mises test (asymptotic p-value); drift when p ≤ 0.1. */
    CRAMER_VON_MISES("cramer_von_mises", ScoreKind.P_VALUE, 0.1, Rule.AT_OR_BELOW, true, false),
    /** Energy distance (scipy {@code energy_distance}); drift when &gt; 0.1. */
    ENERGY_DISTANCE("ed", ScoreKind.DISTANCE, 0.1, Rule.ABOVE, true, false);

    /** Whether a method's score is a p-value or a distance. */
    public enum ScoreKind { P_VALUE, DISTANCE }

    /** How the score is compared with the threshold to call drift. */
    public enum Rule {
        BELOW, AT_OR_BELOW, ABOVE, AT_OR_ABOVE;

        /** Whether {@code score} means drift at {@code threshold}; NaN never does. */
        public boolean drifted(double score, double threshold) {
            return switch (this) {
                case BELOW -> score < threshold;
                case AT_OR_BELOW -> score <= threshold;
                case ABOVE -> score > threshold;
                case AT_OR_ABOVE -> score >= threshold;
            };
        }
    }

    private final String id;
    private final ScoreKind scoreKind;
    private final double defaultThreshold;
    private final Rule rule;
    private final boolean numeric;
    private final boolean categorical;

    DriftMethod(String id, ScoreKind scoreKind, double defaultThreshold, Rule rule, boolean numeric,
                boolean categorical) {
        this.id = id;
        this.scoreKind = scoreKind;
        this.defaultThreshold = defaultThreshold;
        this.rule = rule;
        this.numeric = numeric;
        this.categorical = categorical;
    }

    /** Evidently's name of the method ({@code ks}, {@code psi}, ...). */
    public String id() {
        return id;
    }

    public ScoreKind scoreKind() {
        return scoreKind;
    }

    public double defaultThreshold() {
        return defaultThreshold;
    }

    public Rule rule() {
        return rule;
    }

    /** Whether the method applies to numeric columns. */
    public boolean acceptsNumeric() {
        return numeric;
    }

    /** Whether the method applies to categorical (string) columns. */
    public boolean acceptsCategorical() {
        return categorical;
    }

    /** Looks a method up by its id ({@code "ks"}) or enum name ({@code "KS"}), case-insensitively. */
    public static DriftMethod fromId(String idOrName) {
        if (idOrName == null) {
            throw new IllegalArgumentException("drift method must not be null");
        }
        for (DriftMethod m : values()) {
            if (m.id.equalsIgnoreCase(idOrName) || m.name().equalsIgnoreCase(idOrName)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown drift method '" + idOrName + "'; known: "
                + java.util.Arrays.stream(values()).map(DriftMethod::id).toList());
    }

    @Override
    public String toString() {
        return id.toLowerCase(Locale.ROOT);
    }
}
