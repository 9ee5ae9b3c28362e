package dev.launchpad.server.artifact;

import dev.launchpad.core.json.Json;
import dev.launchpad.server.ServerProcesses;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A 1 GiB artifact streamed through the artifact proxy of a server that has 256 MiB of heap (a
 * child JVM started like {@code launchpad server}): the upload and the download both stream, the
 * recorded SHA-256 is the client's, and the heap never has to hold the file.
 */
@Tag("large")
class LargeArtifactUploadTest {
    private static final String TOKEN = "lp_large-upload-test-admin-token";
    static final long SIZE = 1L << 30;
    static final String PATH = "big/one-gibibyte.bin";

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void oneGibibyteStreamsThroughAServerWith256MibOfHeap(@TempDir Path dir) throws Exception {
        var gcLog = dir.resolve("gc.log");
        var serverLog = dir.resolve("server.log");
        var java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        var builder = new ProcessBuilder(java, "-Xmx256m", "--enable-native-access=ALL-UNNAMED",
                "-Xlog:gc:file=" + gcLog, "-cp", System.getProperty("java.class.path"),
                "dev.launchpad.server.cli.LaunchpadCli", "server", "--port", "0", "--grpc-port", "-1",
                "--home", dir.resolve("home").toString());
        // authentication stays on: the first start takes its admin token from the environment
        builder.environment().put("LAUNCHPAD_ADMIN_TOKEN", TOKEN);
        var process = builder
                .redirectErrorStream(true)
                .redirectOutput(serverLog.toFile())
                .start();
        var http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        try {
            var base = ServerProcesses.awaitUrl(process, serverLog);
            long started = System.nanoTime();

            var sent = MessageDigest.getInstance("SHA-256");
            var upload = http.send(HttpRequest.newBuilder(URI.create(base + "/api/2.0/mlflow-artifacts/artifacts/" + PATH)).header("Authorization", "Bearer " + TOKEN)
                    .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> new GeneratedBytes(SIZE, sent)))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(upload.statusCode()).as(upload.body()).isEqualTo(200);
            var clientSha = HexFormat.of().formatHex(sent.digest());
            long uploaded = System.nanoTime();

            var listing = Json.mapper().readTree(http.send(HttpRequest.newBuilder(
                    URI.create(base + "/api/2.0/mlflow-artifacts/artifacts?path=big"))
                    .header("Authorization", "Bearer " + TOKEN).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            assertThat(listing.path("files").get(0).path("file_size").asLong()).isEqualTo(SIZE);

            // The server verifies the file against its recorded SHA-256 before the first byte; hashing
            // what arrives checks that the record is the client's digest and the bytes are intact.
            var download = http.send(HttpRequest.newBuilder(URI.create(base + "/api/2.0/mlflow-artifacts/artifacts/" + PATH)).header("Authorization", "Bearer " + TOKEN)
                    .build(), HttpResponse.BodyHandlers.ofInputStream());
            assertThat(download.statusCode()).isEqualTo(200);
            assertThat(download.headers().firstValueAsLong("Content-Length")).hasValue(SIZE);
            var received = MessageDigest.getInstance("SHA-256");
            long count = 0;
            try (var in = download.body()) {
                var buffer = new byte[1 << 20];
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    received.update(buffer, 0, n);
                    count += n;
                }
            }
            assertThat(count).isEqualTo(SIZE);
            assertThat(HexFormat.of().formatHex(received.digest())).isEqualTo(clientSha);
            long downloaded = System.nanoTime();

            var delete = http.send(HttpRequest.newBuilder(URI.create(base + "/api/2.0/mlflow-artifacts/artifacts/" + PATH)).header("Authorization", "Bearer " + TOKEN)
                    .DELETE().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(delete.statusCode()).isEqualTo(200);
            assertThat(Files.exists(dir.resolve("home/artifacts").resolve(PATH))).isFalse();
            assertThat(process.isAlive()).isTrue();

            System.out.printf("1 GiB through the artifact proxy at -Xmx256m: upload %.1f s, download %.1f s;"
                            + " server peak heap in use %d MiB (from its GC log)%n",
                    (uploaded - started) / 1e9, (downloaded - uploaded) / 1e9, peakHeapMib(gcLog));
        } finally {
            process.destroy();
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
        assertThat(Files.readString(serverLog)).doesNotContain("OutOfMemoryError");
    }

    /** The largest heap occupancy before a collection in a {@code -Xlog:gc} log ("123M->45M(256M)"). */
    static long peakHeapMib(Path gcLog) throws IOException {
        var matcher = Pattern.compile("(\\d+)M->(\\d+)M\\((\\d+)M\\)").matcher(Files.readString(gcLog));
        long peak = 0;
        while (matcher.find()) {
            peak = Math.max(peak, Long.parseLong(matcher.group(1)));
        }
        return peak;
    }

    /**
     * {@code size} bytes made on the fly (1 MiB of random bytes, each copy stamped with its index so
     * that no two MiB are alike), hashed into {@code digest} as they are read.
     */
    static final class GeneratedBytes extends InputStream {
        private static final int BLOCK = 1 << 20;
        private final byte[] block = new byte[BLOCK];
        private final long size;
        private final MessageDigest digest;
        private long position;

        GeneratedBytes(long size, MessageDigest digest) {
            this.size = size;
            this.digest = digest;
            new Random(42).nextBytes(block);
        }

        @Override
        public int read() {
            var one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (position >= size) {
                return -1;
            }
            int offsetInBlock = (int) (position % BLOCK);
            if (offsetInBlock == 0) {
                long index = position / BLOCK;
                for (int i = 0; i < 8; i++) {
                    block[i] = (byte) (index >>> (8 * i));
                }
            }
            int n = (int) Math.min(Math.min(len, BLOCK - offsetInBlock), size - position);
            System.arraycopy(block, offsetInBlock, b, off, n);
            digest.update(b, off, n);
            position += n;
            return n;
        }
    }
}
