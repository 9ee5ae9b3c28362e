package dev.launchpad.server.monitor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** What the monitoring API keeps on disk: uploads a crash left behind go, a day later. */
class MonitorApiTest {
    @Test
    void uploadsLeftADayAgoAreDeletedYoungerOnesStay(@TempDir Path home) throws Exception {
        var uploads = Files.createDirectories(home.resolve("uploads"));
        var old = Files.writeString(uploads.resolve("reference-1.upload"), "a,b\n");
        Files.setLastModifiedTime(old, FileTime.from(Instant.now().minus(Duration.ofDays(2))));
        var young = Files.writeString(uploads.resolve("reference-2.upload"), "a,b\n"); // another server's, say
        MonitorApi.deleteLeftovers(uploads, Instant.now().minus(Duration.ofDays(1)));
        assertThat(old).doesNotExist();
        assertThat(young).exists();
        MonitorApi.deleteLeftovers(home.resolve("none"), Instant.now()); // no directory yet: nothing to do
    }

    @Test
    void labelsSentAsJsonNumbersKeepEveryDigitOfAnIntegerAndAreSpelledLikePredictions() throws Exception {
        var mapper = dev.launchpad.core.json.Json.mapper();
        assertThat(MonitorApi.label(mapper.readTree("9007199254740993"))).isEqualTo("9007199254740993");
        assertThat(MonitorApi.label(mapper.readTree("1"))).isEqualTo("1");
        assertThat(MonitorApi.label(mapper.readTree("true"))).isEqualTo("true");
        assertThat(MonitorApi.label(mapper.readTree("2.5"))).isEqualTo("2.5");
        assertThat(MonitorApi.label(mapper.readTree("\"fraud\""))).isEqualTo("fraud");
    }
}
