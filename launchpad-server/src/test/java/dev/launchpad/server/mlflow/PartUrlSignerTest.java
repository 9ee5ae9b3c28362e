package dev.launchpad.server.mlflow;

import dev.launchpad.core.error.ErrorCode;
import dev.launchpad.core.error.LaunchpadException;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A signed part URL is valid only for its path, upload, part and lifetime, and only under the key it was made with. */
class PartUrlSignerTest {
    private static final Pattern QUERY = Pattern.compile("&expires=(\\d+)&signature=([0-9a-f]{64})");
    private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes();
    private static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");

    private static String[] sign(PartUrlSigner signer, String path, String upload, int part) {
        var m = QUERY.matcher(signer.query(path, upload, part));
        if (!m.matches()) {
            throw new AssertionError("unexpected query");
        }
        return new String[] {m.group(1), m.group(2)};
    }

    private static ErrorCode code(Runnable check) {
        try {
            check.run();
            return null;
        } catch (LaunchpadException e) {
            return e.code();
        }
    }

    @Test
    void aSignatureCoversPathUploadPartAndLifetime() {
        var signer = new PartUrlSigner(KEY, Clock.fixed(NOW, ZoneOffset.UTC));
        var q = sign(signer, "0/r/artifacts/m.bin", "u1", 1);
        assertThatCode(() -> signer.verify("0/r/artifacts/m.bin", "u1", 1, q[0], q[1])).doesNotThrowAnyException();
        assertThat(code(() -> signer.verify("0/r/artifacts/other.bin", "u1", 1, q[0], q[1])))
                .isEqualTo(ErrorCode.PERMISSION_DENIED);
        assertThat(code(() -> signer.verify("0/r/artifacts/m.bin", "u2", 1, q[0], q[1])))
                .isEqualTo(ErrorCode.PERMISSION_DENIED);
        assertThat(code(() -> signer.verify("0/r/artifacts/m.bin", "u1", 2, q[0], q[1])))
                .isEqualTo(ErrorCode.PERMISSION_DENIED);
        var longer = String.valueOf(Long.parseLong(q[0]) + 3600);
        assertThat(code(() -> signer.verify("0/r/artifacts/m.bin", "u1", 1, longer, q[1])))
                .isEqualTo(ErrorCode.PERMISSION_DENIED);
        assertThat(code(() -> signer.verify("0/r/artifacts/m.bin", "u1", 1, null, null)))
                .isEqualTo(ErrorCode.UNAUTHENTICATED);
        assertThatThrownBy(() -> signer.verify("0/r/artifacts/m.bin", "u1", 1, "soon", q[1]))
                .isInstanceOf(LaunchpadException.class);

        // expired a second after its lifetime; another server key never matches
        var later = new PartUrlSigner(KEY, Clock.fixed(NOW.plus(PartUrlSigner.LIFETIME).plusSeconds(1), ZoneOffset.UTC));
        assertThat(code(() -> later.verify("0/r/artifacts/m.bin", "u1", 1, q[0], q[1])))
                .isEqualTo(ErrorCode.PERMISSION_DENIED);
        var otherKey = new PartUrlSigner("another key, another server.....".getBytes(), Clock.fixed(NOW, ZoneOffset.UTC));
        assertThat(code(() -> otherKey.verify("0/r/artifacts/m.bin", "u1", 1, q[0], q[1])))
                .isEqualTo(ErrorCode.PERMISSION_DENIED);
    }
}
