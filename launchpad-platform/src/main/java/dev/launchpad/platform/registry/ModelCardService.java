package dev.launchpad.platform.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.launchpad.core.error.LaunchpadException;
import dev.launchpad.core.json.Json;
import dev.launchpad.platform.store.Database;
import dev.launchpad.platform.tracking.Metric;
import dev.launchpad.platform.tracking.RunService;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** Versioned, editable model cards; evaluation metrics and training data are pulled from the source run. */
public final class ModelCardService {
    private static final int MAX_FIELD_LENGTH = 20_000;

    private final Database db;
    private final Clock clock;
    private final RegistryService registry;
    private final RunService runs;

    public ModelCardService(Database db, Clock clock, RegistryService registry, RunService runs) {
        this.db = db;
        this.clock = clock;
        this.registry = registry;
        this.runs = runs;
    }

    /** The fields a person edits; null leaves a field as it was. */
    public record CardEdit(String intendedUse, String trainingData, String limitations, String owner,
                           Map<String, Double> evaluationMetrics) {
    }

    /** The newest revision, or the draft (revision 0) when the card was never edited. */
    public ModelCard current(String name, String version) {
        var mv = registry.getModelVersion(name, version);
        return latestStored(mv).orElseGet(() -> draft(mv));
    }

    /** One stored revision (0 is the draft). */
    public ModelCard revision(String name, String version, int revision) {
        var mv = registry.getModelVersion(name, version);
        if (revision == 0) {
            return draft(mv);
        }
        return db.read(h -> h.createQuery("SELECT content FROM model_cards WHERE name = :n AND version = :v"
                        + " AND revision = :r")
                .bind("n", mv.name()).bind("v", mv.version()).bind("r", revision).mapTo(String.class).findOne())
                .map(ModelCardService::fromJson)
                .orElseThrow(() -> LaunchpadException.notFound("Model card revision " + revision + " of "
                        + mv.uri() + " not found"));
    }

    /** Every revision's number, author and time, oldest first. */
    public List<ModelCard> revisions(String name, String version) {
        var mv = registry.getModelVersion(name, version);
        return db.read(h -> h.createQuery("SELECT content FROM model_cards WHERE name = :n AND version = :v"
                        + " ORDER BY revision")
                .bind("n", mv.name()).bind("v", mv.version()).mapTo(String.class).list())
                .stream().map(ModelCardService::fromJson).toList();
    }

    /** Saves an edit as a new revision; metrics are re-pulled from the run unless the edit gives them. */
    public ModelCard update(String name, String version, CardEdit edit, String editor) {
        for (var field : new String[] {edit.intendedUse(), edit.trainingData(), edit.limitations(), edit.owner()}) {
            if (field != null && field.length() > MAX_FIELD_LENGTH) {
                throw LaunchpadException.invalid("A model card field exceeds the limit of " + MAX_FIELD_LENGTH
                        + " characters");
            }
        }
        var mv = registry.getModelVersion(name, version);
        var base = current(name, version);
        var fresh = draft(mv);
        return db.write(h -> {
            int next = h.createQuery("SELECT COALESCE(MAX(revision), 0) + 1 FROM model_cards WHERE name = :n"
                            + " AND version = :v")
                    .bind("n", mv.name()).bind("v", mv.version()).mapTo(Integer.class).one();
            var card = new ModelCard(mv.name(), mv.version(), next,
                    pick(edit.intendedUse(), base.intendedUse()),
                    pick(edit.trainingData(), base.trainingData()),
                    edit.evaluationMetrics() != null ? new TreeMap<>(edit.evaluationMetrics()) : fresh.evaluationMetrics(),
                    pick(edit.limitations(), base.limitations()),
                    pick(edit.owner(), base.owner()),
                    fresh.datasets(), fresh.runId(), fresh.codeVersion(),
                    editor == null ? "" : editor, clock.millis());
            h.createUpdate("INSERT INTO model_cards (name, version, revision, content, created_by, creation_time)"
                            + " VALUES (:n, :v, :r, :c, :by, :at)")
                    .bind("n", mv.name()).bind("v", mv.version()).bind("r", next).bind("c", toJson(card))
                    .bind("by", card.updatedBy()).bind("at", card.updatedAt()).execute();
            return card;
        });
    }

    /** The card as Markdown, for people. */
    public static String markdown(ModelCard card) {
        var md = new StringBuilder();
        md.append("# Model card: ").append(card.name()).append(" version ").append(card.version()).append("\n\n");
        md.append("_Revision ").append(card.revision()).append(card.revision() == 0 ? " (draft generated from the registry)" : "")
                .append(", updated ").append(Instant.ofEpochMilli(card.updatedAt()))
                .append(card.updatedBy() == null || card.updatedBy().isEmpty() ? "" : " by " + card.updatedBy())
                .append("_\n\n");
        section(md, "Owner", card.owner());
        section(md, "Intended use", card.intendedUse());
        section(md, "Training data", card.trainingData());
        if (!card.datasets().isEmpty()) {
            md.append("| dataset | digest | context | source |\n| --- | --- | --- | --- |\n");
            for (var d : card.datasets()) {
                md.append("| ").append(cell(d.name())).append(" | `").append(cell(d.digest())).append("` | ")
                        .append(cell(d.context())).append(" | ").append(cell(d.source())).append(" |\n");
            }
            md.append('\n');
        }
        md.append("## Evaluation metrics\n\n");
        if (card.evaluationMetrics().isEmpty()) {
            md.append("_No metrics recorded").append(card.runId() == null ? " (no source run)" : "").append("._\n\n");
        } else {
            md.append("| metric | value |\n| --- | ---: |\n");
            card.evaluationMetrics().forEach((k, v) -> md.append("| ").append(cell(k)).append(" | ")
                    .append(String.format(Locale.ROOT, "%.6g", v)).append(" |\n"));
            md.append('\n');
        }
        section(md, "Limitations", card.limitations());
        md.append("## Provenance\n\n");
        md.append("- Source run: ").append(card.runId() == null ? "none" : "`" + card.runId() + "`").append('\n');
        md.append("- Code version: ").append(card.codeVersion() == null ? "unknown" : "`" + card.codeVersion() + "`")
                .append('\n');
        return md.toString();
    }

    private ModelCard draft(ModelVersion mv) {
        var lineage = registry.lineage(mv.name(), Integer.toString(mv.version()));
        var metrics = new TreeMap<String, Double>();
        if (mv.runId() != null) {
            for (Metric m : runs.get(mv.runId()).metrics()) {
                metrics.put(m.key(), m.value());
            }
        }
        var training = lineage.datasets().stream()
                .filter(d -> d.context() == null || d.context().equalsIgnoreCase("training")
                        || d.context().equalsIgnoreCase("train"))
                .map(d -> d.name() + " (digest " + d.digest() + ")").toList();
        return new ModelCard(mv.name(), mv.version(), 0, mv.description(),
                training.isEmpty() ? null : String.join(", ", training), metrics, null, mv.userId(),
                lineage.datasets(), mv.runId(), lineage.codeVersion(), "", mv.creationTime());
    }

    private java.util.Optional<ModelCard> latestStored(ModelVersion mv) {
        return db.read(h -> h.createQuery("SELECT content FROM model_cards WHERE name = :n AND version = :v"
                        + " ORDER BY revision DESC LIMIT 1")
                .bind("n", mv.name()).bind("v", mv.version()).mapTo(String.class).findOne())
                .map(ModelCardService::fromJson);
    }

    private static String pick(String edited, String previous) {
        return edited != null ? edited : previous;
    }

    private static void section(StringBuilder md, String title, String text) {
        md.append("## ").append(title).append("\n\n")
                .append(text == null || text.isBlank() ? "_Not documented yet._" : text).append("\n\n");
    }

    private static String cell(String text) {
        return text == null ? "" : text.replace("|", "\\|").replace("\n", " ");
    }

    static String toJson(ModelCard card) {
        ObjectNode node = Json.mapper().createObjectNode();
        node.put("name", card.name()).put("version", card.version()).put("revision", card.revision())
                .put("intended_use", card.intendedUse()).put("training_data", card.trainingData())
                .put("limitations", card.limitations()).put("owner", card.owner()).put("run_id", card.runId())
                .put("code_version", card.codeVersion()).put("updated_by", card.updatedBy())
                .put("updated_at", card.updatedAt());
        var metrics = node.putObject("evaluation_metrics");
        card.evaluationMetrics().forEach(metrics::put);
        var datasets = node.putArray("datasets");
        for (var d : card.datasets()) {
            datasets.addObject().put("name", d.name()).put("digest", d.digest()).put("source", d.source())
                    .put("context", d.context());
        }
        return node.toString();
    }

    static ModelCard fromJson(String json) {
        try {
            JsonNode node = Json.mapper().readTree(json);
            var metrics = new TreeMap<String, Double>();
            node.path("evaluation_metrics").properties().forEach(e -> metrics.put(e.getKey(), e.getValue().asDouble()));
            var datasets = new ArrayList<ModelLineage.LineageDataset>();
            node.path("datasets").forEach(d -> datasets.add(new ModelLineage.LineageDataset(text(d, "name"),
                    text(d, "digest"), text(d, "source"), text(d, "context"))));
            return new ModelCard(text(node, "name"), node.path("version").asInt(), node.path("revision").asInt(),
                    text(node, "intended_use"), text(node, "training_data"), metrics, text(node, "limitations"),
                    text(node, "owner"), datasets, text(node, "run_id"), text(node, "code_version"),
                    text(node, "updated_by"), node.path("updated_at").asLong());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Stored model card is not valid JSON", e);
        }
    }

    private static String text(JsonNode node, String field) {
        var value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }
}
