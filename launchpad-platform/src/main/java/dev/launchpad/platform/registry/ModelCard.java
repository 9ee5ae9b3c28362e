package dev.launchpad.platform.registry;

import java.util.List;
import java.util.Map;

/**
 * A model card: what a model version is for, what it was trained on, how it performed, where it
 * falls short and who owns it. Revision 0 is the draft Launchpad writes from the registry and the
 * run before anyone has edited the card; every edit adds a revision.
 */
public record ModelCard(
        String name,
        int version,
        int revision,
        String intendedUse,
        String trainingData,
        Map<String, Double> evaluationMetrics,
        String limitations,
        String owner,
        List<ModelLineage.LineageDataset> datasets,
        String runId,
        String codeVersion,
        String updatedBy,
        long updatedAt) {
}
