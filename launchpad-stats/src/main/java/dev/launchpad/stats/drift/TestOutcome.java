package dev.launchpad.stats.drift;

/**
 * What one drift test computed: its statistic and its score, which is the p-value for
 * p-value methods and the distance itself for distance methods.
 */
public record TestOutcome(double statistic, double score) {
    /** An outcome whose statistic is the score (distance methods). */
    public static TestOutcome distance(double d) {
        return new TestOutcome(d, d);
    }
}
