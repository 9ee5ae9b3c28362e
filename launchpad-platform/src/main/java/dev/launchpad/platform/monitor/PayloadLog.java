package dev.launchpad.platform.monitor;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The optional full payload log: one JSON line per request ({@code ts}, {@code request_id},
 * {@code version}, {@code inputs}, {@code outputs} as column → values) in rolling files
 * {@code <dir>/<deployment>/<yyyy-MM-dd-HH>.jsonl} (one per UTC hour), of which the newest
 * {@code keepFiles} per deployment are kept. Written by the monitoring thread only.
 */
public final class PayloadLog implements AutoCloseable {
    private static final DateTimeFormatter HOUR = DateTimeFormatter.ofPattern("yyyy-MM-dd-HH").withZone(ZoneOffset.UTC);
    private final Path directory;
    private final int keepFiles;
    private final JsonFactory json = new JsonFactory();
    private final Map<String, Open> writers = new HashMap<>();
    private final AtomicLong failures = new AtomicLong();

    private record Open(String hour, BufferedWriter writer) {
    }

    public PayloadLog(Path directory, int keepFiles) {
        this.directory = directory;
        this.keepFiles = keepFiles;
    }

    public Path directory() {
        return directory;
    }

    /** Lines that could not be written. */
    public long failures() {
        return failures.get();
    }

    void write(Observation o, FeatureBatch in, FeatureBatch out) {
        try {
            var writer = writer(o.deployment(), HOUR.format(Instant.ofEpochMilli(o.timestamp())));
            try (JsonGenerator g = json.createGenerator(new NonClosing(writer))) {
                g.writeStartObject();
                g.writeNumberField("ts", o.timestamp());
                if (o.requestId() != null) {
                    g.writeStringField("request_id", o.requestId());
                }
                g.writeNumberField("version", o.version());
                g.writeNumberField("latency_ms", o.latencyNanos() / 1e6);
                columns(g, "inputs", in);
                columns(g, "outputs", out);
                g.writeEndObject();
            }
            writer.write('\n');
        } catch (IOException | RuntimeException e) {
            failures.incrementAndGet();
        }
    }

    private static void columns(JsonGenerator g, String field, FeatureBatch batch) throws IOException {
        g.writeObjectFieldStart(field);
        for (var f : batch.features()) {
            g.writeArrayFieldStart(f.name());
            for (int r = 0; r < batch.rows(); r++) {
                if (f.numeric()) {
                    double v = f.numbers()[r];
                    if (Double.isFinite(v)) {
                        g.writeNumber(v);
                    } else {
                        g.writeNull();
                    }
                } else {
                    g.writeString(f.strings()[r]);
                }
            }
            g.writeEndArray();
        }
        g.writeEndObject();
    }

    private BufferedWriter writer(String deployment, String hour) throws IOException {
        var current = writers.get(deployment);
        if (current != null && current.hour().equals(hour)) {
            return current.writer();
        }
        if (current != null) {
            current.writer().close();
        }
        var dir = directory.resolve(deployment);
        Files.createDirectories(dir);
        var writer = Files.newBufferedWriter(dir.resolve(hour + ".jsonl"), StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        writers.put(deployment, new Open(hour, writer));
        prune(dir);
        return writer;
    }

    private void prune(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            var sorted = files.filter(p -> p.getFileName().toString().endsWith(".jsonl")).sorted().toList();
            for (int i = 0; i < sorted.size() - keepFiles; i++) {
                Files.deleteIfExists(sorted.get(i));
            }
        }
    }

    void flush() {
        for (var w : writers.values()) {
            try {
                w.writer().flush();
            } catch (IOException e) {
                failures.incrementAndGet();
            }
        }
    }

    @Override
    public void close() {
        for (var w : writers.values()) {
            try {
                w.writer().close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        writers.clear();
    }

    private static final class NonClosing extends java.io.FilterWriter {
        NonClosing(java.io.Writer out) {
            super(out);
        }

        @Override
        public void close() {
        }
    }
}
