package dev.launchpad.platform.monitor;

import com.fasterxml.jackson.databind.JsonNode;
import dev.launchpad.core.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The full payload log: one JSON line per request, one file per deployment and UTC hour, the newest kept. */
class PayloadLogTest {
    private static final long H0 = Instant.parse("2026-03-02T10:15:00Z").toEpochMilli();
    private static final java.time.Duration DAYS_30 = java.time.Duration.ofDays(30);

    private static Observation request(String deployment, long at, String id) {
        return new Observation(deployment, 3, id, at, 2_500_000, "ok", null);
    }

    private static FeatureBatch inputs(double... amounts) {
        var cities = new String[amounts.length];
        for (int i = 0; i < cities.length; i++) {
            cities[i] = i % 2 == 0 ? "Oslo" : null;
        }
        return new FeatureBatch(amounts.length, List.of(FeatureBatch.Feature.numeric("amount", amounts),
                FeatureBatch.Feature.categorical("city", cities)));
    }

    private static List<JsonNode> lines(Path file) throws Exception {
        var out = new ArrayList<JsonNode>();
        for (var line : Files.readAllLines(file)) {
            out.add(Json.mapper().readTree(line));
        }
        return out;
    }

    @Test
    void writesAJsonLinePerRequestIntoHourlyFilesAndKeepsTheNewest(@TempDir Path dir) throws Exception {
        var log = new PayloadLog(dir, 2, DAYS_30);
        var out = new FeatureBatch(2, List.of(FeatureBatch.Feature.numeric("score", new double[] {0.25, 0.75})));
        log.write(request("fraud", H0, "r1"), inputs(1.5, Double.NaN), out);
        log.write(request("fraud", H0 + 1_000, null), inputs(2.0, 3.0), out);
        log.write(request("churn", H0, "c1"), inputs(7.0, 8.0), out);
        log.flush();

        var first = lines(dir.resolve("fraud/2026-03-02-10.jsonl"));
        assertThat(first).hasSize(2);
        var line = first.getFirst();
        assertThat(line.path("ts").asLong()).isEqualTo(H0);
        assertThat(line.path("request_id").asText()).isEqualTo("r1");
        assertThat(line.path("version").asInt()).isEqualTo(3);
        assertThat(line.path("latency_ms").asDouble()).isEqualTo(2.5);
        assertThat(line.path("inputs").path("amount").toString()).isEqualTo("[1.5,null]"); // NaN is not JSON
        assertThat(line.path("inputs").path("city").toString()).isEqualTo("[\"Oslo\",null]");
        assertThat(line.path("outputs").path("score").toString()).isEqualTo("[0.25,0.75]");
        assertThat(first.get(1).has("request_id")).isFalse();
        assertThat(lines(dir.resolve("churn/2026-03-02-10.jsonl"))).hasSize(1);

        // two more hours of fraud: the oldest file goes, churn's stays, and so does a file of someone else's there
        Files.writeString(dir.resolve("fraud/notes.jsonl"), "{}\n");
        log.write(request("fraud", H0 + 3_600_000, "r3"), inputs(1.0, 1.0), out);
        log.write(request("fraud", H0 + 7_200_000, "r4"), inputs(1.0, 1.0), out);
        log.close();
        try (var files = Files.list(dir.resolve("fraud"))) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted().toList())
                    .containsExactly("2026-03-02-11.jsonl", "2026-03-02-12.jsonl", "notes.jsonl");
        }
        assertThat(Files.exists(dir.resolve("churn/2026-03-02-10.jsonl"))).isTrue();
        assertThat(log.failures()).isZero();
    }

    @Test
    void aLineThatCannotBeWrittenIsCountedAndServingGoesOn(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("fraud"), "a file where the deployment's directory should be");
        var log = new PayloadLog(dir, 2, DAYS_30);
        var out = FeatureBatch.empty(1);
        log.write(request("fraud", H0, "r1"), inputs(1.0), out);
        log.write(request("churn", H0, "c1"), inputs(1.0), out);
        log.close();
        assertThat(log.failures()).isEqualTo(1);
        assertThat(lines(dir.resolve("churn/2026-03-02-10.jsonl"))).hasSize(1);
    }

    @Test
    void everyLineAFullDiskRefusesIsCounted(@TempDir Path dir) throws Exception {
        var devFull = Path.of("/dev/full"); // every write fails with "No space left on device"
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(devFull));
        Files.createDirectories(dir.resolve("fraud"));
        Files.createSymbolicLink(dir.resolve("fraud/2026-03-02-10.jsonl"), devFull);
        var log = new PayloadLog(dir, 2, DAYS_30);
        var out = FeatureBatch.empty(2);
        for (int i = 0; i < 3_000; i++) { // about 300 KB: several 64 KiB writes, and a rest left for the flush
            log.write(request("fraud", H0, "r" + i), inputs(i, i + 0.5), out);
        }
        log.write(request("churn", H0, "c1"), inputs(1.0, 2.0), out);
        log.flush();
        assertThat(log.failures()).isEqualTo(3_000);
        log.close();
        assertThat(lines(dir.resolve("churn/2026-03-02-10.jsonl"))).hasSize(1);
    }

    @Test
    void aLongCategoryValueIsWrittenAsItWasSent(@TempDir Path dir) throws Exception {
        var document = "lorem ipsum ".repeat(1_000); // 12 000 characters: profiles keep it bounded, the log whole
        var log = new PayloadLog(dir, 2, DAYS_30);
        log.write(request("docs", H0, "d1"), new FeatureBatch(1, List.of(FeatureBatch.Feature.categorical("text",
                new String[] {document}))), FeatureBatch.empty(1));
        log.close();
        assertThat(lines(dir.resolve("docs/2026-03-02-10.jsonl")).getFirst().path("inputs").path("text").get(0).asText())
                .isEqualTo(document);
    }

    @Test
    void aDeploymentNoLongerLoggedKeepsNoFileOpenAfterItsHour(@TempDir Path dir) throws Exception {
        var log = new PayloadLog(dir, 2, DAYS_30);
        var out = FeatureBatch.empty(1);
        log.write(request("deleted", H0, "r1"), inputs(1.0), out);
        log.write(request("fraud", H0, "r2"), inputs(2.0), out);
        log.flush(H0 + 60_000);
        assertThat(log.openFiles()).isEqualTo(2);
        log.flush(H0 + 3_600_000); // the next hour: both files are closed, their lines written
        assertThat(log.openFiles()).isZero();
        log.write(request("fraud", H0 + 3_600_000, "r3"), inputs(3.0), out);
        log.flush(H0 + 3_600_000);
        assertThat(log.openFiles()).isEqualTo(1);
        log.close();
        assertThat(lines(dir.resolve("deleted/2026-03-02-10.jsonl"))).hasSize(1);
        assertThat(lines(dir.resolve("fraud/2026-03-02-11.jsonl"))).hasSize(1);
    }

    @Test
    void filesPastTheirAgeGoOnceAnHourAndTheFolderOfADeploymentNoLongerServedWithThem(@TempDir Path dir)
            throws Exception {
        long hour = 3_600_000;
        var log = new PayloadLog(dir, 48, java.time.Duration.ofHours(2));
        var out = FeatureBatch.empty(1);
        log.write(request("deleted", H0, "d1"), inputs(1.0), out); // 10:00 - 11:00
        log.write(request("fraud", H0, "f1"), inputs(1.0), out);
        log.flush(H0);
        log.write(request("fraud", H0 + hour, "f2"), inputs(1.0), out); // 11:00 - 12:00
        Files.writeString(dir.resolve("fraud/notes.txt"), "someone else's");
        Files.createDirectories(dir.resolve("empty-folder"));
        Files.createDirectories(dir.resolve("kept"));
        Files.writeString(dir.resolve("kept/2026-03-02-10.jsonl"), "{}\n");
        Files.writeString(dir.resolve("kept/readme.txt"), "stays, and so does its folder");

        log.flush(H0 + 2 * hour - 5 * 60_000); // 12:10: the 10:00 - 11:00 files ended 1 h 10 min ago, within 2 h
        assertThat(Files.exists(dir.resolve("deleted/2026-03-02-10.jsonl"))).isTrue();
        assertThat(Files.exists(dir.resolve("kept/2026-03-02-10.jsonl"))).isTrue();
        log.flush(H0 + 3 * hour - 14 * 60_000); // 13:01: they ended 2 h 1 min ago
        assertThat(Files.exists(dir.resolve("deleted"))).isFalse();
        assertThat(Files.exists(dir.resolve("fraud/2026-03-02-10.jsonl"))).isFalse();
        assertThat(lines(dir.resolve("fraud/2026-03-02-11.jsonl"))).hasSize(1); // ended 1 h 1 min ago
        assertThat(Files.exists(dir.resolve("fraud/notes.txt"))).isTrue();
        assertThat(Files.exists(dir.resolve("empty-folder"))).isTrue(); // not emptied by the log: not its to remove
        assertThat(Files.exists(dir.resolve("kept/2026-03-02-10.jsonl"))).isFalse();
        assertThat(Files.exists(dir.resolve("kept/readme.txt"))).isTrue();

        log.write(request("deleted", H0 + 3 * hour, "d2"), inputs(1.0), out); // served again: its folder comes back
        log.close();
        assertThat(lines(dir.resolve("deleted/2026-03-02-13.jsonl"))).hasSize(1);
        assertThat(log.failures()).isZero();
    }

    @Test
    void linesWrittenToAFileDeletedWhileOpenAreCountedAndTheFileComesBack(@TempDir Path dir) throws Exception {
        var log = new PayloadLog(dir, 2, DAYS_30);
        var out = FeatureBatch.empty(1);
        log.write(request("fraud", H0, "r1"), inputs(1.0), out);
        log.flush();
        // someone removes the deployment's directory; the open file takes two more lines with it
        try (var files = Files.list(dir.resolve("fraud"))) {
            for (var f : files.toList()) {
                Files.delete(f);
            }
        }
        Files.delete(dir.resolve("fraud"));
        log.write(request("fraud", H0, "r2"), inputs(2.0), out);
        log.write(request("fraud", H0, "r3"), inputs(3.0), out);
        log.flush();
        assertThat(log.failures()).isEqualTo(2);
        log.write(request("fraud", H0, "r4"), inputs(4.0), out);
        log.close();
        assertThat(lines(dir.resolve("fraud/2026-03-02-10.jsonl"))).extracting(l -> l.path("request_id").asText())
                .containsExactly("r4");
        assertThat(log.failures()).isEqualTo(2);
    }
}
