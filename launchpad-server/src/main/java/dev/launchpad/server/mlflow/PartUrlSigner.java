package dev.launchpad.server.mlflow;

import dev.launchpad.core.error.ErrorCode;
import dev.launchpad.core.error.LaunchpadException;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;

/**
 * Signs the part-upload URLs of multipart artifact uploads, like S3's presigned URLs: MLflow clients
 * PUT each part to the URL they were given without sending credentials, so the URL itself carries an
 * expiry and an HMAC-SHA256 over path, upload id, part number and expiry, made with a key only the
 * server knows. A part upload is accepted only with a valid, unexpired signature.
 */
final class PartUrlSigner {
    /** How long a part URL works after the upload was created. */
    static final Duration LIFETIME = Duration.ofHours(24);

    private final byte[] key;
    private final Clock clock;

    PartUrlSigner(byte[] key, Clock clock) {
        this.key = key.clone();
        this.clock = clock;
    }

    /** The query parameters that make a part URL valid: {@code &expires=...&signature=...}. */
    String query(String path, String uploadId, int partNumber) {
        long expires = clock.instant().plus(LIFETIME).getEpochSecond();
        return "&expires=" + expires + "&signature=" + sign(path, uploadId, partNumber, expires);
    }

    /** PERMISSION_DENIED unless the signature matches and has not expired. */
    void verify(String path, String uploadId, int partNumber, String expires, String signature) {
        if (expires == null || signature == null) {
            throw new LaunchpadException(ErrorCode.UNAUTHENTICATED, "This part-upload URL is not signed: use the"
                    + " URLs the multipart create call answered.");
        }
        long expiry;
        try {
            expiry = Long.parseLong(expires);
        } catch (NumberFormatException e) {
            throw LaunchpadException.invalid("Invalid value '" + expires + "' for parameter 'expires'.");
        }
        var expected = sign(path, uploadId, partNumber, expiry).getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(expected, signature.getBytes(StandardCharsets.US_ASCII))) {
            throw new LaunchpadException(ErrorCode.PERMISSION_DENIED, "The part-upload URL's signature does not"
                    + " match it.");
        }
        if (clock.instant().getEpochSecond() > expiry) {
            throw new LaunchpadException(ErrorCode.PERMISSION_DENIED, "The part-upload URL expired; start the"
                    + " upload again.");
        }
    }

    private String sign(String path, String uploadId, int partNumber, long expires) {
        try {
            var mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            var message = path + "\n" + uploadId + "\n" + partNumber + "\n" + expires;
            return HexFormat.of().formatHex(mac.doFinal(message.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }
}
