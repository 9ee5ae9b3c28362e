package dev.launchpad.server.monitor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.launchpad.core.text.Decimals;
import dev.launchpad.platform.monitor.Baselines;
import dev.launchpad.platform.monitor.MonitorChecks;
import dev.launchpad.platform.monitor.RowSample;
import dev.launchpad.platform.monitor.WindowData;
import dev.launchpad.stats.Column;
import dev.launchpad.stats.profile.ColumnProfile;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;

/**
 * The drift report as one self-contained HTML page: a summary, the per-feature table, and for every
 * feature an inline SVG of its distribution in the reference (baseline) and the current span, drawn from
 * the profiles (KLL histograms over shared bins for numbers, frequent items for categories), or for class labels a
 * CSV spells as numbers from the samples their drift was computed on.
 */
final class DriftReport {
    private static final String REF = "#4C78A8";
    private static final String CUR = "#F58518";
    /** Distributions drawn at most (drifted features first): a plot is a few KB, and a model may have 10 000 features. */
    static final int MAX_PLOTS = 100;

    private DriftReport() {
    }

    static String html(ObjectNode report, Baselines.Baseline baseline, WindowData current) {
        var h = new StringBuilder(16_384);
        h.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>Drift report: ")
                .append(esc(report.path("deployment").asText())).append("</title><style>")
                .append("body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse}")
                .append("td,th{padding:4px 10px;border-bottom:1px solid #ddd;text-align:left}")
                .append(".drift{color:#b00;font-weight:600}.ok{color:#070}.card{display:inline-block;margin:8px;"
                        + "padding:8px;border:1px solid #ddd;border-radius:6px;vertical-align:top}")
                .append("</style></head><body>");
        h.append("<h1>Drift report: ").append(esc(report.path("deployment").asText())).append("</h1>");
        h.append("<p>Model <b>").append(esc(report.path("model").asText())).append("</b> version ")
                .append(esc(report.path("version").asText("?"))).append(", from ")
                .append(Instant.ofEpochMilli(report.path("from").asLong())).append(" to ")
                .append(Instant.ofEpochMilli(report.path("to").asLong())).append(". Reference rows: ")
                .append(report.path("reference_rows").asLong()).append(", current rows: ")
                .append(report.path("current_rows").asLong()).append(".</p>");
        if (report.has("message")) {
            h.append("<p><i>").append(esc(report.path("message").asText())).append("</i></p>");
        }
        boolean datasetDrift = report.path("dataset_drift").asBoolean();
        h.append("<p class=\"").append(datasetDrift ? "drift" : "ok").append("\">")
                .append(report.path("drifted_features").asLong()).append(" of ").append(report.path("features").size())
                .append(" features drifted").append(datasetDrift ? ": the dataset drifted." : ".").append("</p>");
        table(h, "Features", report.path("features"));
        table(h, "Predictions", report.path("predictions"));
        leftOut(h, report);
        if (baseline != null && current != null) {
            h.append("<h2>Distributions</h2><p><span style=\"color:").append(REF).append("\">■ reference</span> &nbsp; ")
                    .append("<span style=\"color:").append(CUR).append("\">■ current</span></p>");
            // the inputs' table is drawn from the input profile and sample, the predictions' from the output ones;
            // of the features both profiles have, drifted ones first, up to MAX_PLOTS
            record Plot(JsonNode row, boolean inputs) {
            }
            var plots = new ArrayList<Plot>();
            for (boolean drifted : new boolean[] {true, false}) {
                for (boolean inputs : new boolean[] {true, false}) {
                    var profile = inputs ? current.inputs() : current.outputs();
                    for (var row : report.path(inputs ? "features" : "predictions")) {
                        var name = row.path("feature").asText();
                        if (row.path("drift").asBoolean() == drifted && baseline.profile().columns().containsKey(name)
                                && profile.columns().containsKey(name)) {
                            plots.add(new Plot(row, inputs));
                        }
                    }
                }
            }
            for (var p : plots.subList(0, Math.min(MAX_PLOTS, plots.size()))) {
                var name = p.row().path("feature").asText();
                var ref = baseline.profile().columns().get(name);
                var cur = (p.inputs() ? current.inputs() : current.outputs()).columns().get(name);
                var sample = p.inputs() ? current.inputSample() : current.outputSample();
                var plot = ref.kind() == cur.kind() ? svg(ref, cur) : svgOfSamples(baseline, sample, name);
                boolean drift = p.row().path("drift").asBoolean();
                h.append("<div class=\"card\"><div class=\"").append(drift ? "drift" : "ok").append("\">").append(esc(name))
                        .append(drift ? " (drift)" : "").append("</div>").append(plot).append("</div>");
            }
            if (plots.size() > MAX_PLOTS) {
                h.append("<p><i>").append(plots.size() - MAX_PLOTS).append(" more features not drawn: ").append(MAX_PLOTS)
                        .append(" distributions at most, drifted ones first. The tables above have every feature.</i></p>");
            }
        }
        h.append("</body></html>");
        return h.toString();
    }

    private static void table(StringBuilder h, String title, JsonNode rows) {
        if (rows.isEmpty()) {
            return;
        }
        h.append("<h2>").append(title).append("</h2><table><tr><th>feature</th><th>type</th><th>method</th>"
                + "<th>statistic</th><th>score</th><th>threshold</th><th>drift</th><th>reference n</th><th>current n</th>"
                + "<th>note</th></tr>");
        for (var r : rows) {
            boolean drift = r.path("drift").asBoolean();
            h.append("<tr><td>").append(esc(r.path("feature").asText())).append("</td><td>").append(esc(r.path("type").asText()))
                    .append("</td><td>").append(esc(r.path("method").asText())).append("</td><td>").append(num(r.path("statistic")))
                    .append("</td><td>").append(num(r.path("score"))).append(" <small>").append(esc(r.path("score_kind").asText()))
                    .append("</small></td><td>").append(num(r.path("threshold"))).append("</td><td class=\"")
                    .append(drift ? "drift\">yes" : "ok\">no").append("</td><td>").append(r.path("reference_count").asLong())
                    .append("</td><td>").append(r.path("current_count").asLong()).append("</td><td><small>")
                    .append(esc(note(r))).append("</small></td></tr>");
        }
        h.append("</table>");
    }

    /** The features the tables leave out: no values to compare on one side, or none in the baseline. */
    private static void leftOut(StringBuilder h, JsonNode report) {
        var notCompared = report.path("not_compared");
        if (!notCompared.isEmpty()) {
            h.append("<h2>Not compared</h2><table><tr><th>feature</th><th>why</th></tr>");
            for (var r : notCompared) {
                h.append("<tr><td>").append(esc(r.path("feature").asText())).append("</td><td>")
                        .append(esc(r.path("reason").asText())).append("</td></tr>");
            }
            h.append("</table>");
        }
        var notInBaseline = report.path("not_in_baseline");
        if (!notInBaseline.isEmpty()) {
            h.append("<h2>Not in the baseline</h2><p>Served, but the reference data has no such column: ");
            var names = new ArrayList<String>();
            notInBaseline.forEach(n -> {
                if (names.size() < MAX_PLOTS) {
                    names.add(esc(n.asText()));
                }
            });
            h.append(String.join(", ", names)).append(notInBaseline.size() > names.size()
                    ? " and " + (notInBaseline.size() - names.size()) + " more (in the JSON)." : ".").append("</p>");
        }
    }

    /** Why the row's method is not the configured one, or that it was computed from sketches. */
    private static String note(JsonNode row) {
        var parts = new ArrayList<String>();
        if (row.hasNonNull("method_note")) {
            parts.add(row.path("method_note").asText());
        }
        if (row.path("from_sketches").asBoolean()) {
            parts.add("from the profiles' sketches (a sample lacks the feature)");
        }
        return String.join("; ", parts);
    }

    private static String num(JsonNode n) {
        return n.isNumber() ? String.format(Locale.ROOT, "%.4g", n.asDouble()) : "–";
    }

    /**
     * A feature numeric in the reference and categorical in the traffic (class labels a CSV spells as numbers): the
     * shares of its labels in the two samples, which is what its drift was computed on.
     */
    private static String svgOfSamples(Baselines.Baseline baseline, RowSample sample, String name) {
        if (baseline.sample() == null || baseline.sample().isNumeric(name) == null || sample.isNumeric(name) == null) {
            return "<p><i>numeric in the reference, categorical in the traffic, and no sample to compare</i></p>";
        }
        return svgOfLabels(labels(baseline.sample().column(name)), labels(sample.column(name)));
    }

    /** A sample column's values as labels (numbers as a CSV spells class labels). */
    private static String[] labels(Column column) {
        return switch (column) {
            case Column.Numeric n -> MonitorChecks.asLabels(n).values();
            case Column.Categorical c -> c.values();
        };
    }

    /** The labels the bars show: the most frequent of each side (up to 12 each, given most frequent first), 16 at most. */
    private static List<String> shownLabels(java.util.stream.Stream<String> ref, java.util.stream.Stream<String> cur) {
        var keys = new LinkedHashSet<String>();
        ref.limit(12).forEach(keys::add);
        cur.limit(12).forEach(keys::add);
        return new ArrayList<>(new ArrayList<>(keys).subList(0, Math.min(keys.size(), 16)));
    }

    /** Two bar series of label shares, the most frequent labels of both (up to 16). */
    static String svgOfLabels(String[] ref, String[] cur) {
        var refCounts = counts(ref);
        var curCounts = counts(cur);
        long refTotal = refCounts.values().stream().mapToLong(Long::longValue).sum();
        long curTotal = curCounts.values().stream().mapToLong(Long::longValue).sum();
        if (refTotal == 0 || curTotal == 0) {
            return "<p><i>no values</i></p>";
        }
        var byFrequency = java.util.Map.Entry.<String, Long>comparingByValue().reversed();
        var list = shownLabels(refCounts.entrySet().stream().sorted(byFrequency).map(java.util.Map.Entry::getKey),
                curCounts.entrySet().stream().sorted(byFrequency).map(java.util.Map.Entry::getKey));
        if (list.stream().allMatch(k -> Decimals.parseNumber(k) != null)) {
            list.sort(java.util.Comparator.comparingDouble(k -> Decimals.parseNumber(k))); // class numbers in order
        }
        double[] r = new double[list.size()];
        double[] c = new double[list.size()];
        for (int i = 0; i < list.size(); i++) {
            r[i] = refCounts.getOrDefault(list.get(i), 0L) / (double) refTotal;
            c[i] = curCounts.getOrDefault(list.get(i), 0L) / (double) curTotal;
        }
        return bars(list, r, c, false);
    }

    private static java.util.Map<String, Long> counts(String[] values) {
        var out = new java.util.HashMap<String, Long>();
        for (var v : values) {
            if (v != null) {
                out.merge(v, 1L, Long::sum);
            }
        }
        return out;
    }

    /** Two bar series (reference, current) over shared bins, 360×160, of two profiles of one kind. */
    static String svg(ColumnProfile ref, ColumnProfile cur) {
        if (ref.kind() != cur.kind()) {
            // the page plots a column whose kind changed from the samples instead
            throw new IllegalArgumentException("a " + ref.kind() + " and a " + cur.kind() + " profile");
        }
        var labels = new ArrayList<String>();
        double[] r;
        double[] c;
        if (ref.kind() == ColumnProfile.Kind.NUMERIC && ref.validCount() > 0 && cur.validCount() > 0) {
            double lo = Math.min(ref.min(), cur.min());
            double hi = Math.max(ref.max(), cur.max());
            int bins = 20;
            if (!(hi > lo)) {
                hi = lo + 1;
            }
            // weighted means of lo and hi, finite even when hi - lo is not (values near ±Double.MAX_VALUE); a range
            // a few doubles wide gets fewer bins, as split points must increase
            double[] splits = new double[bins - 1];
            int n = 0;
            for (int i = 0; i < splits.length; i++) {
                double split = lo / bins * (bins - i - 1) + hi / bins * (i + 1);
                if (split > (n == 0 ? lo : splits[n - 1]) && split < hi) {
                    splits[n++] = split;
                }
            }
            splits = java.util.Arrays.copyOf(splits, n);
            r = ref.quantileSketch().pmf(splits, false);
            c = cur.quantileSketch().pmf(splits, false);
            labels.add(String.format(Locale.ROOT, "%.3g", lo));
            labels.add(String.format(Locale.ROOT, "%.3g", hi));
        } else if (ref.kind() == ColumnProfile.Kind.CATEGORICAL && ref.validCount() > 0 && cur.validCount() > 0) {
            var list = shownLabels(ref.frequentItems().stream().map(ColumnProfile.FrequentItem::value),
                    cur.frequentItems().stream().map(ColumnProfile.FrequentItem::value));
            r = new double[list.size()];
            c = new double[list.size()];
            for (int i = 0; i < list.size(); i++) {
                r[i] = ref.frequentItemsSketch().lowerBound(list.get(i)) / (double) ref.validCount();
                c[i] = cur.frequentItemsSketch().lowerBound(list.get(i)) / (double) cur.validCount();
            }
            labels.addAll(list);
        } else {
            return "<p><i>no values</i></p>";
        }
        return bars(labels, r, c, ref.kind() == ColumnProfile.Kind.NUMERIC);
    }

    /**
     * The bars: for numbers {@code labels} are the range's two ends, for categories one label per bar.
     */
    private static String bars(List<String> labels, double[] r, double[] c, boolean numeric) {
        int w = 360;
        int hgt = 160;
        int bottom = 130;
        double max = 1e-12;
        for (int i = 0; i < r.length; i++) {
            max = Math.max(max, Math.max(r[i], c[i]));
        }
        double slot = (double) w / r.length;
        var s = new StringBuilder("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(w).append("\" height=\"")
                .append(hgt).append("\" role=\"img\">");
        for (int i = 0; i < r.length; i++) {
            double x = i * slot;
            double bw = Math.max(1, slot / 2 - 1);
            double rh = r[i] / max * (bottom - 10);
            double ch = c[i] / max * (bottom - 10);
            s.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>reference %.3f</title></rect>",
                    x, bottom - rh, bw, rh, REF, r[i]));
            s.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>current %.3f</title></rect>",
                    x + bw, bottom - ch, bw, ch, CUR, c[i]));
        }
        s.append("<line x1=\"0\" y1=\"").append(bottom).append("\" x2=\"").append(w).append("\" y2=\"").append(bottom)
                .append("\" stroke=\"#999\"/>");
        if (numeric) {
            s.append("<text x=\"0\" y=\"148\" font-size=\"11\">").append(esc(labels.get(0))).append("</text>");
            s.append("<text x=\"").append(w).append("\" y=\"148\" font-size=\"11\" text-anchor=\"end\">")
                    .append(esc(labels.get(1))).append("</text>");
        } else {
            // as much of each label as its slot holds (about 6 px a character); the whole label shows on hover
            int fits = Math.max(1, (int) (slot / 6.5));
            for (int i = 0; i < labels.size(); i++) {
                s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"148\" font-size=\"10\"><title>%s</title>%s</text>",
                        i * slot, esc(labels.get(i)), esc(shortened(labels.get(i), fits))));
            }
        }
        return s.append("</svg>").toString();
    }

    /** The first {@code n} characters of {@code label} (whole code points), ending in … when that is not all. */
    static String shortened(String label, int n) {
        if (label.codePointCount(0, label.length()) <= n) {
            return label;
        }
        return n == 1 ? "…" : label.substring(0, label.offsetByCodePoints(0, n - 1)) + "…";
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
