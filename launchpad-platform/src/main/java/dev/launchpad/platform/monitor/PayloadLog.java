package dev.launchpad.platform.monitor;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The optional full payload log: one JSON line per request ({@code ts}, {@code request_id},
 * {@code version}, {@code inputs}, {@code outputs} as column → values) in rolling files
 * {@code <dir>/<deployment>/<yyyy-MM-dd-HH>.jsonl} (one per UTC hour), of which the newest
 * {@code keepFiles} per deployment are kept, and none older than {@code maxAge}: so the folder of a deployment
 * no longer served (deleted, renamed) empties and goes too. Written by the monitoring thread only.
 *
 * <p>Lines are gathered whole and written 64 KiB at a time, so that a write that fails (a full disk) is known to
 * have lost the lines it held, which are counted (what part of them reached the file is cut off again, so the file
 * holds whole lines only); a file deleted while open (its
 * directory removed) is noticed at the next {@link #flush}, the lines written to it since the one before are
 * counted as lost, and the next line opens the file again.
 */
public final class PayloadLog implements AutoCloseable {
    private static final DateTimeFormatter HOUR = DateTimeFormatter.ofPattern("yyyy-MM-dd-HH").withZone(ZoneOffset.UTC);
    private static final int SPILL_BYTES = 64 * 1024;
    /** Buffers that grew past this for a large request are let go after it rather than kept at that size. */
    private static final int KEPT_BUFFER_BYTES = 1 << 20;
    private final Path directory;
    private final int keepFiles;
    private final java.time.Duration maxAge;
    /** The UTC hour of the last look for files past {@link #maxAge}: one look an hour. */
    private String agedOutIn;
    private final JsonFactory json = new JsonFactory().disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
    private final Map<String, Open> files = new HashMap<>();
    private Bytes line = new Bytes();
    private final AtomicLong failures = new AtomicLong();

    /** One deployment's file of the hour: its stream, the whole lines not yet written, and those written since the last check. */
    private static final class Open {
        final String hour;
        final Path path;
        final FileChannel channel;
        Bytes pending = new Bytes();
        int pendingLines;
        long writtenSinceCheck;

        Open(String hour, Path path, FileChannel channel) {
            this.hour = hour;
            this.path = path;
            this.channel = channel;
        }
    }

    /** Files are kept {@code keepFiles} per deployment and {@code maxAge} (counted from the end of their hour). */
    public PayloadLog(Path directory, int keepFiles, java.time.Duration maxAge) {
        if (keepFiles < 1 || maxAge.isNegative() || maxAge.isZero()) {
            throw new IllegalArgumentException("keepFiles must be at least 1 and maxAge positive");
        }
        this.directory = directory;
        this.keepFiles = keepFiles;
        this.maxAge = maxAge;
    }

    public Path directory() {
        return directory;
    }

    /** Lines that could not be written. */
    public long failures() {
        return failures.get();
    }

    void write(Observation o, FeatureBatch in, FeatureBatch out) {
        Open file;
        try {
            file = file(o.deployment(), HOUR.format(Instant.ofEpochMilli(o.timestamp())));
            try (JsonGenerator g = json.createGenerator(line, JsonEncoding.UTF8)) {
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
            line.write('\n');
            line.writeTo(file.pending); // a whole line, or nothing
        } catch (IOException | RuntimeException e) {
            failures.incrementAndGet();
            return;
        } finally {
            line = line.emptied();
        }
        file.pendingLines++;
        if (file.pending.size() >= SPILL_BYTES) {
            spill(file);
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

    /** Writes a file's whole pending lines; if the write fails, they are counted as lost. */
    private void spill(Open file) {
        if (file.pendingLines == 0) {
            return;
        }
        long before = -1;
        try {
            before = file.channel.size();
            file.pending.writeTo(file.channel);
            file.writtenSinceCheck += file.pendingLines;
        } catch (IOException e) {
            failures.addAndGet(file.pendingLines);
            try {
                if (before >= 0) {
                    file.channel.truncate(before); // no part of a line stays
                }
            } catch (IOException ignored) {
                // the lines are counted as lost either way
            }
        } finally {
            file.pending = file.pending.emptied();
            file.pendingLines = 0;
        }
    }

    private Open file(String deployment, String hour) throws IOException {
        var current = files.get(deployment);
        if (current != null && current.hour.equals(hour)) {
            return current;
        }
        if (current != null) {
            files.remove(deployment);
            closeQuietly(current);
        }
        var dir = directory.resolve(deployment);
        Files.createDirectories(dir);
        var path = dir.resolve(hour + ".jsonl");
        var opened = new Open(hour, path, FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND));
        files.put(deployment, opened);
        prune(dir);
        return opened;
    }

    private static final java.util.regex.Pattern HOURLY_FILE =
            java.util.regex.Pattern.compile("\\d{4}-\\d{2}-\\d{2}-\\d{2}\\.jsonl");

    private void prune(Path dir) throws IOException {
        try (var listed = Files.list(dir)) {
            // only the hourly files this log writes: another file in the folder is neither counted nor deleted
            var sorted = listed.filter(p -> HOURLY_FILE.matcher(p.getFileName().toString()).matches()).sorted().toList();
            for (int i = 0; i < sorted.size() - keepFiles; i++) {
                Files.deleteIfExists(sorted.get(i));
            }
        }
    }

    /**
     * Writes every pending line, and checks that each open file is still there: one deleted since the last check
     * took the lines written to it since then with it (counted), and is opened again by the next line.
     */
    void flush() {
        flush(null);
    }

    /**
     * {@link #flush()}, and closes the files of hours before {@code now}'s (epoch ms; null: none), so that a deployment
     * no longer served (deleted, or quiet) keeps no file open and no buffer; once an hour it also deletes the files
     * past {@code maxAge}.
     */
    void flush(Long now) {
        String hour = now == null ? null : HOUR.format(Instant.ofEpochMilli(now));
        var it = files.values().iterator();
        while (it.hasNext()) {
            var file = it.next();
            spill(file);
            if (!Files.exists(file.path)) {
                failures.addAndGet(file.writtenSinceCheck);
                it.remove();
                closeQuietly(file);
            } else if (hour != null && !file.hour.equals(hour)) {
                it.remove();
                closeQuietly(file); // the next line of its deployment opens the current hour's file
            } else {
                file.writtenSinceCheck = 0;
            }
        }
        if (hour != null && !hour.equals(agedOutIn)) {
            agedOutIn = hour;
            deleteAgedOut(Instant.ofEpochMilli(now));
        }
    }

    /**
     * Deletes, in every deployment's folder, the hourly files whose hour ended more than {@code maxAge} before
     * {@code now}, and a folder they leave empty. What cannot be listed or deleted now is tried again next hour.
     */
    private void deleteAgedOut(Instant now) {
        // a file of an hour before the one that holds now - maxAge ended at least maxAge ago
        String oldestKept = HOUR.format(now.minus(maxAge));
        List<Path> folders;
        try (var listed = Files.list(directory)) {
            folders = listed.filter(Files::isDirectory).toList();
        } catch (IOException | java.io.UncheckedIOException e) {
            return; // no log written yet, or not readable now
        }
        for (var folder : folders) {
            try (var listed = Files.list(folder)) {
                var aged = listed.filter(p -> {
                    var name = p.getFileName().toString();
                    return HOURLY_FILE.matcher(name).matches() && name.substring(0, 13).compareTo(oldestKept) < 0;
                }).toList();
                for (var file : aged) {
                    Files.deleteIfExists(file);
                }
                if (!aged.isEmpty() && !files.containsKey(folder.getFileName().toString())) {
                    try (var rest = Files.list(folder)) {
                        if (rest.findAny().isEmpty()) {
                            Files.deleteIfExists(folder); // only a folder this log emptied: never someone else's
                        }
                    }
                }
            } catch (IOException | java.io.UncheckedIOException e) {
                // tried again at the next hour
            }
        }
    }

    /** Files held open now (one per deployment logged to this hour). */
    int openFiles() {
        return files.size();
    }

    /** Writes a file's pending lines (counting what cannot be written) and closes it. */
    private void closeQuietly(Open file) {
        spill(file);
        try {
            file.channel.close();
        } catch (IOException e) {
            // its lines were written or counted
        }
    }

    /**
     * Bytes that are written to a file a slice at a time (the JDK copies each write through a direct buffer its size),
     * and emptied for reuse unless a large request made them large.
     */
    private static final class Bytes extends ByteArrayOutputStream {
        /** These bytes emptied, or new ones where these grew past {@link #KEPT_BUFFER_BYTES}. */
        Bytes emptied() {
            if (buf.length > KEPT_BUFFER_BYTES) {
                return new Bytes();
            }
            reset();
            return this;
        }

        void writeTo(FileChannel channel) throws IOException {
            for (int at = 0; at < count; ) {
                var slice = ByteBuffer.wrap(buf, at, Math.min(SPILL_BYTES, count - at));
                while (slice.hasRemaining()) {
                    channel.write(slice);
                }
                at = slice.position();
            }
        }
    }

    @Override
    public void close() {
        flush();
        files.values().forEach(this::closeQuietly);
        files.clear();
    }
}
