package dev.launchpad.platform.artifact;

import dev.launchpad.core.error.ErrorCode;
import dev.launchpad.core.error.LaunchpadException;
import dev.launchpad.platform.artifact.ArtifactStore.ArtifactEntry;
import dev.launchpad.platform.artifact.ArtifactStore.UploadedPart;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What every {@link ArtifactStore} must do; subclasses supply a fresh store and a way to damage its bytes. */
abstract class ArtifactStoreContract {
    static final int MIB = 1024 * 1024;

    /** The store under test (fresh and empty for each test). */
    abstract ArtifactStore store();

    /** Overwrites the stored bytes of {@code path} behind the store's back. */
    abstract void overwriteStoredBytes(String path, byte[] bytes) throws Exception;

    /** The stored bytes of {@code path}, read behind the store's back. */
    abstract byte[] storedBytes(String path) throws Exception;

    /** Removes the stored bytes of {@code path} behind the store's back (the record stays). */
    abstract void removeStoredBytes(String path) throws Exception;

    static byte[] randomBytes(int size, long seed) {
        var bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    byte[] read(String path) throws IOException {
        try (var in = store().open(path)) {
            return in.readAllBytes();
        }
    }

    ArtifactStore.ArtifactInfo put(String path, byte[] bytes) throws IOException {
        return store().put(path, new ByteArrayInputStream(bytes));
    }

    static void assertCode(ThrowingCallable call, ErrorCode code) {
        assertThatThrownBy(call).isInstanceOfSatisfying(LaunchpadException.class,
                e -> assertThat(e.code()).as(e.getMessage()).isEqualTo(code));
    }

    @Test
    void putRecordsSizeAndSha256AndOpenReturnsTheBytes() throws Exception {
        var bytes = randomBytes(300_000, 1);
        var info = put("models/m1/model.onnx", bytes);
        assertThat(info.path()).isEqualTo("models/m1/model.onnx");
        assertThat(info.size()).isEqualTo(bytes.length);
        assertThat(info.sha256()).isEqualTo(sha256(bytes));
        assertThat(store().info("models/m1/model.onnx")).contains(info);
        try (var in = store().open("models/m1/model.onnx")) {
            assertThat(in.info()).isEqualTo(info);
            assertThat(in.readAllBytes()).isEqualTo(bytes);
        }
        assertThat(storedBytes("models/m1/model.onnx")).isEqualTo(bytes);
    }

    @Test
    void emptyFilesAreFiles() throws Exception {
        var info = put("empty.txt", new byte[0]);
        assertThat(info.size()).isZero();
        assertThat(info.sha256()).isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assertThat(read("empty.txt")).isEmpty();
    }

    @Test
    void overwriteReplacesContentAndRecord() throws Exception {
        put("a/file.bin", randomBytes(1000, 1));
        var second = randomBytes(5000, 2);
        var info = put("a/file.bin", second);
        assertThat(info.sha256()).isEqualTo(sha256(second));
        assertThat(store().info("a/file.bin")).contains(info);
        assertThat(read("a/file.bin")).isEqualTo(second);
        assertThat(store().list("a")).containsExactly(new ArtifactEntry("a/file.bin", false, 5000L));
    }

    @Test
    void streamsLargerThanOnePartAreStoredWhole() throws Exception {
        var bytes = randomBytes(17 * MIB + 123, 3);
        var info = put("big/data.bin", bytes);
        assertThat(info.size()).isEqualTo(bytes.length);
        assertThat(info.sha256()).isEqualTo(sha256(bytes));
        assertThat(read("big/data.bin")).isEqualTo(bytes);
    }

    @Test
    void aFailedWriteLeavesTheOldContent() throws Exception {
        var old = randomBytes(2000, 4);
        put("keep.bin", old);
        var failing = new InputStream() {
            int left = 10_000;

            @Override
            public int read() throws IOException {
                if (left-- <= 0) {
                    throw new IOException("client went away");
                }
                return 7;
            }
        };
        assertThatThrownBy(() -> store().put("keep.bin", failing)).isInstanceOf(IOException.class);
        assertThat(read("keep.bin")).isEqualTo(old);
        assertThat(store().list("")).containsExactly(new ArtifactEntry("keep.bin", false, 2000L));
    }

    @Test
    void openingWhatWasNeverStoredIsNotFound() {
        assertCode(() -> store().open("nothing/here.txt"), ErrorCode.RESOURCE_DOES_NOT_EXIST);
        assertThat(store().info("nothing/here.txt")).isEmpty();
    }

    @Test
    void listShowsDirectChildrenSortedWithSizes() throws Exception {
        put("run/artifacts/model/MLmodel", randomBytes(10, 1));
        put("run/artifacts/model/model.onnx", randomBytes(20, 2));
        put("run/artifacts/metrics.json", randomBytes(30, 3));
        put("run/artifacts/a.txt", randomBytes(40, 4));
        put("other.txt", randomBytes(5, 5));

        assertThat(store().list("")).containsExactly(
                new ArtifactEntry("other.txt", false, 5L),
                new ArtifactEntry("run", true, null));
        assertThat(store().list("run/artifacts")).containsExactly(
                new ArtifactEntry("run/artifacts/a.txt", false, 40L),
                new ArtifactEntry("run/artifacts/metrics.json", false, 30L),
                new ArtifactEntry("run/artifacts/model", true, null));
        assertThat(store().list("run/artifacts/")).isEqualTo(store().list("run/artifacts"));
        assertThat(store().list("run/artifacts/model")).extracting(ArtifactEntry::path)
                .containsExactly("run/artifacts/model/MLmodel", "run/artifacts/model/model.onnx");
        assertThat(store().list("no/such/dir")).isEmpty();
        assertThat(store().list("other.txt")).isEmpty();
    }

    @Test
    void deleteRemovesAFileOrAWholeDirectory() throws Exception {
        put("d/keep.txt", randomBytes(10, 1));
        put("d/sub/one.bin", randomBytes(10, 2));
        put("d/sub/deeper/two.bin", randomBytes(10, 3));

        store().delete("d/sub");
        assertThat(store().list("d")).containsExactly(new ArtifactEntry("d/keep.txt", false, 10L));
        assertCode(() -> store().open("d/sub/deeper/two.bin"), ErrorCode.RESOURCE_DOES_NOT_EXIST);

        store().delete("d/keep.txt");
        assertThat(store().list("")).isEmpty();
        store().delete("d/never-there");

        put("d/sub/one.bin", randomBytes(7, 9));
        assertThat(read("d/sub/one.bin")).hasSize(7);
    }

    @Test
    void aFileCannotBeADirectoryToo() throws Exception {
        put("x/file", randomBytes(10, 1));
        assertCode(() -> put("x/file/child", randomBytes(10, 2)), ErrorCode.INVALID_PARAMETER_VALUE);
        assertCode(() -> put("x", randomBytes(10, 2)), ErrorCode.INVALID_PARAMETER_VALUE);
        assertCode(() -> store().createMultipartUpload("x"), ErrorCode.INVALID_PARAMETER_VALUE);
        assertThat(read("x/file")).hasSize(10);
    }

    @ParameterizedTest
    @ValueSource(strings = {"../escape.txt", "a/../../escape.txt", "a/..", "..", "/etc/passwd", "a\\..\\b", "a//b",
            "a/", ".", "a/./b", "a\0b", "C:/windows", ".launchpad-tmp/x", "a/.launchpad-uploads"})
    void unsafePathsAreRefused(String path) {
        assertCode(() -> put(path, randomBytes(10, 1)), ErrorCode.INVALID_PARAMETER_VALUE);
        assertCode(() -> store().open(path), ErrorCode.INVALID_PARAMETER_VALUE);
        assertCode(() -> store().delete(path), ErrorCode.INVALID_PARAMETER_VALUE);
        assertCode(() -> store().createMultipartUpload(path), ErrorCode.INVALID_PARAMETER_VALUE);
        if (!path.equals("a/")) {
            assertCode(() -> store().list(path), ErrorCode.INVALID_PARAMETER_VALUE);
        }
    }

    @Test
    void multipartUploadJoinsPartsInPartNumberOrder() throws Exception {
        var first = randomBytes(5 * MIB + 17, 1);
        var second = randomBytes(1234, 2);
        var uploadId = store().createMultipartUpload("mpu/big.bin");
        assertThat(store().multipartUploadPath(uploadId)).isEqualTo("mpu/big.bin");
        var etag2 = store().uploadPart(uploadId, 2, new ByteArrayInputStream(second));
        var etag1 = store().uploadPart(uploadId, 1, new ByteArrayInputStream(randomBytes(100, 7)));
        etag1 = store().uploadPart(uploadId, 1, new ByteArrayInputStream(first)); // a retried part replaces the first try
        assertThat(store().info("mpu/big.bin")).isEmpty();

        var info = store().completeMultipartUpload(uploadId,
                List.of(new UploadedPart(2, etag2), new UploadedPart(1, etag1)));
        var whole = new byte[first.length + second.length];
        System.arraycopy(first, 0, whole, 0, first.length);
        System.arraycopy(second, 0, whole, first.length, second.length);
        assertThat(info.size()).isEqualTo(whole.length);
        assertThat(info.sha256()).isEqualTo(sha256(whole));
        assertThat(read("mpu/big.bin")).isEqualTo(whole);
        assertCode(() -> store().uploadPart(uploadId, 3, new ByteArrayInputStream(second)),
                ErrorCode.RESOURCE_DOES_NOT_EXIST);
        assertCode(() -> store().multipartUploadPath(uploadId), ErrorCode.RESOURCE_DOES_NOT_EXIST);
    }

    @Test
    void abortedUploadsAreGone() throws Exception {
        var uploadId = store().createMultipartUpload("mpu/aborted.bin");
        var etag = store().uploadPart(uploadId, 1, new ByteArrayInputStream(randomBytes(100, 1)));
        store().abortMultipartUpload(uploadId);
        assertCode(() -> store().completeMultipartUpload(uploadId, List.of(new UploadedPart(1, etag))),
                ErrorCode.RESOURCE_DOES_NOT_EXIST);
        assertCode(() -> store().abortMultipartUpload(uploadId), ErrorCode.RESOURCE_DOES_NOT_EXIST);
        assertThat(store().list("mpu")).isEmpty();
    }

    @Test
    void badMultipartInputIsAClientError() throws Exception {
        var uploadId = store().createMultipartUpload("mpu/bad.bin");
        var etag = store().uploadPart(uploadId, 1, new ByteArrayInputStream(randomBytes(100, 1)));
        assertCode(() -> store().uploadPart(uploadId, 0, new ByteArrayInputStream(new byte[1])),
                ErrorCode.INVALID_PARAMETER_VALUE);
        assertCode(() -> store().uploadPart(uploadId, 10_001, new ByteArrayInputStream(new byte[1])),
                ErrorCode.INVALID_PARAMETER_VALUE);
        assertCode(() -> store().uploadPart("0123456789abcdef0123456789abcdef", 1, new ByteArrayInputStream(new byte[1])),
                ErrorCode.RESOURCE_DOES_NOT_EXIST);
        assertCode(() -> store().uploadPart("../../etc", 1, new ByteArrayInputStream(new byte[1])),
                ErrorCode.RESOURCE_DOES_NOT_EXIST);
        assertCode(() -> store().completeMultipartUpload(uploadId, List.of()), ErrorCode.INVALID_PARAMETER_VALUE);
        assertCode(() -> store().completeMultipartUpload(uploadId,
                List.of(new UploadedPart(1, etag), new UploadedPart(1, etag))), ErrorCode.INVALID_PARAMETER_VALUE);
        assertCode(() -> store().completeMultipartUpload(uploadId, List.of(new UploadedPart(1, etag),
                new UploadedPart(2, etag))), ErrorCode.INVALID_PARAMETER_VALUE);
        assertCode(() -> store().completeMultipartUpload(uploadId, List.of(new UploadedPart(1, "\"0000\""))),
                ErrorCode.INVALID_PARAMETER_VALUE);
        // still usable after refused completions
        var info = store().completeMultipartUpload(uploadId, List.of(new UploadedPart(1, etag)));
        assertThat(info.size()).isEqualTo(100);
    }

    @Test
    void aCorruptedFileIsReportedAsDataLossAndNeverServed() throws Exception {
        var bytes = randomBytes(100_000, 5);
        var recordedSha = sha256(bytes);
        put("models/m/model.onnx", bytes);
        var damaged = bytes.clone();
        damaged[54_321] ^= 0x01;
        overwriteStoredBytes("models/m/model.onnx", damaged);

        assertThatThrownBy(() -> store().open("models/m/model.onnx"))
                .isInstanceOfSatisfying(LaunchpadException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.DATA_LOSS);
                    assertThat(e.getMessage()).contains("'models/m/model.onnx'", "corrupted", "SHA-256",
                            recordedSha);
                });
        // still listed (it is recorded), and a fresh put repairs it
        assertThat(store().list("models/m")).hasSize(1);
        put("models/m/model.onnx", bytes);
        assertThat(read("models/m/model.onnx")).isEqualTo(bytes);
    }

    @Test
    void aTruncatedOrMissingFileIsDataLoss() throws Exception {
        var bytes = randomBytes(10_000, 6);
        put("t/short.bin", bytes);
        overwriteStoredBytes("t/short.bin", java.util.Arrays.copyOf(bytes, 9_999));
        assertThatThrownBy(() -> store().open("t/short.bin"))
                .isInstanceOfSatisfying(LaunchpadException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.DATA_LOSS);
                    assertThat(e.getMessage()).contains("'t/short.bin'", "9999 bytes", "10000");
                });
        put("t/gone.bin", bytes);
        removeStoredBytes("t/gone.bin");
        assertThatThrownBy(() -> store().open("t/gone.bin"))
                .isInstanceOfSatisfying(LaunchpadException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.DATA_LOSS);
                    assertThat(e.getMessage()).contains("'t/gone.bin'", "missing");
                });
    }
}
