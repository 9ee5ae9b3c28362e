package dev.launchpad.platform.govern.lineage;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A lineage graph around one or more starting nodes ({@code roots}): datasets, runs, experiments, model
 * versions, registered models, deployments and prediction windows, joined by edges that point downstream,
 * the way data flows (dataset → run → model version → deployment → prediction window). {@code truncated}
 * says the graph hit its node limit and more exists than is shown.
 */
public record LineageGraph(List<String> roots, List<Node> nodes, List<Edge> edges, boolean truncated) {

    public LineageGraph {
        roots = List.copyOf(roots);
        nodes = List.copyOf(nodes);
        edges = List.copyOf(edges);
    }

    /** What a node stands for. */
    public enum NodeType {
        DATASET, RUN, EXPERIMENT, MODEL_VERSION, REGISTERED_MODEL, DEPLOYMENT, PREDICTION_WINDOW;

        /** The name used in JSON and node ids: {@code dataset}, {@code model_version}, ... */
        @JsonValue
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * What an edge means, read from {@code from} to {@code to}: a dataset is {@code consumed_by} a run, an
     * experiment {@code contains} a run, a run {@code produced} a model version, a registered model
     * {@code has_version} a version, a version is {@code deployed_as} a deployment, a deployment
     * {@code served} a prediction window.
     */
    public enum Relation {
        CONSUMED_BY, CONTAINS, PRODUCED, HAS_VERSION, DEPLOYED_AS, SERVED;

        @JsonValue
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** A node: a stable id ({@code type:key}), its type, a short label for people, and its recorded facts. */
    public record Node(String id, NodeType type, String label, Map<String, Object> attributes) {
        public Node {
            attributes = attributes == null ? Map.of() : java.util.Collections.unmodifiableMap(
                    new java.util.LinkedHashMap<>(attributes));
        }

        /** An attribute as a string, if present. */
        public Optional<String> string(String key) {
            return Optional.ofNullable(attributes.get(key)).map(String::valueOf);
        }

        /** An attribute as a long, if present and numeric. */
        public Optional<Long> number(String key) {
            return attributes.get(key) instanceof Number n ? Optional.of(n.longValue()) : Optional.empty();
        }
    }

    /** A directed edge between two node ids, with facts about the link (e.g. the dataset's context). */
    public record Edge(String from, String to, Relation relation, Map<String, Object> attributes) {
        public Edge {
            attributes = attributes == null ? Map.of() : java.util.Collections.unmodifiableMap(
                    new java.util.LinkedHashMap<>(attributes));
        }
    }

    /** The node with this id, if the graph has it. */
    public Optional<Node> node(String id) {
        return nodes.stream().filter(n -> n.id().equals(id)).findFirst();
    }

    /** The nodes of one type, in graph order. */
    public List<Node> nodes(NodeType type) {
        return nodes.stream().filter(n -> n.type() == type).toList();
    }

    /** The edges of one relation into {@code to}. */
    public List<Edge> edgesInto(String to, Relation relation) {
        return edges.stream().filter(e -> e.to().equals(to) && e.relation() == relation).toList();
    }

    /** The edges of one relation out of {@code from}. */
    public List<Edge> edgesFrom(String from, Relation relation) {
        return edges.stream().filter(e -> e.from().equals(from) && e.relation() == relation).toList();
    }
}
