package dev.launchpad.platform.artifact;

import dev.launchpad.platform.artifact.ArtifactStore.ArtifactInfo;
import dev.launchpad.platform.store.Database;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The artifact store's tables (V3__artifacts.sql): file records and multipart uploads in progress. */
final class ArtifactRecords {
    private final Database db;
    private final Clock clock;

    ArtifactRecords(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /** A multipart upload in progress: where it goes and the backend's own id for it (S3's), if any. */
    record Upload(String uploadId, String path, String backendId) {
    }

    Optional<ArtifactInfo> find(String path) {
        return db.read(h -> h.createQuery("SELECT path, size, sha256 FROM artifacts WHERE path = :path")
                .bind("path", path)
                .map((rs, ctx) -> new ArtifactInfo(rs.getString("path"), rs.getLong("size"), rs.getString("sha256")))
                .findOne());
    }

    /** Records a stored file, replacing any earlier record of the same path. */
    void record(ArtifactInfo info) {
        db.writeVoid(h -> h.createUpdate("""
                        INSERT INTO artifacts (path, size, sha256, created_time) VALUES (:path, :size, :sha256, :time)
                        ON CONFLICT (path) DO UPDATE SET size = excluded.size, sha256 = excluded.sha256,
                            created_time = excluded.created_time""")
                .bind("path", info.path())
                .bind("size", info.size())
                .bind("sha256", info.sha256())
                .bind("time", clock.millis())
                .execute());
    }

    /** Every record at or below {@code directory} ("" for all), sorted by path. */
    List<ArtifactInfo> under(String directory) {
        return db.read(h -> {
            var query = directory.isEmpty()
                    ? h.createQuery("SELECT path, size, sha256 FROM artifacts ORDER BY path")
                    : h.createQuery("SELECT path, size, sha256 FROM artifacts WHERE substr(path, 1, :n) = :prefix"
                            + " ORDER BY path")
                    .bind("n", (directory + "/").codePointCount(0, directory.length() + 1))
                    .bind("prefix", directory + "/");
            return query.map((rs, ctx) -> new ArtifactInfo(rs.getString("path"), rs.getLong("size"),
                    rs.getString("sha256"))).list();
        });
    }

    /** Whether any file is recorded below {@code path}, i.e. {@code path} is a directory. */
    boolean isDirectory(String path) {
        return db.read(h -> h.createQuery("SELECT 1 FROM artifacts WHERE substr(path, 1, :n) = :prefix LIMIT 1")
                .bind("n", (path + "/").codePointCount(0, path.length() + 1))
                .bind("prefix", path + "/")
                .mapTo(Integer.class)
                .findOne()
                .isPresent());
    }

    /** The recorded file among the ancestors of {@code path}, if any (which would make it unwritable). */
    Optional<String> fileAncestor(String path) {
        var ancestors = new ArrayList<String>();
        for (int i = path.indexOf('/'); i > 0; i = path.indexOf('/', i + 1)) {
            ancestors.add(path.substring(0, i));
        }
        if (ancestors.isEmpty()) {
            return Optional.empty();
        }
        return db.read(h -> h.createQuery("SELECT path FROM artifacts WHERE path IN (<paths>) LIMIT 1")
                .bindList("paths", ancestors)
                .mapTo(String.class)
                .findOne());
    }

    /** Removes the record of {@code path} and of everything below it. */
    void deleteUnder(String path) {
        db.writeVoid(h -> h.createUpdate("DELETE FROM artifacts WHERE path = :path OR substr(path, 1, :n) = :prefix")
                .bind("path", path)
                .bind("n", (path + "/").codePointCount(0, path.length() + 1))
                .bind("prefix", path + "/")
                .execute());
    }

    /** Removes the record of one file if it is still {@code expected} (so a newer record is kept). */
    void deleteIfUnchanged(ArtifactInfo expected) {
        db.writeVoid(h -> h.createUpdate("DELETE FROM artifacts WHERE path = :path AND sha256 = :sha256 AND size = :size")
                .bind("path", expected.path())
                .bind("sha256", expected.sha256())
                .bind("size", expected.size())
                .execute());
    }

    void addUpload(Upload upload) {
        db.writeVoid(h -> h.createUpdate("INSERT INTO artifact_uploads (upload_id, path, backend_id, created_time)"
                        + " VALUES (:id, :path, :backend, :time)")
                .bind("id", upload.uploadId())
                .bind("path", upload.path())
                .bind("backend", upload.backendId())
                .bind("time", clock.millis())
                .execute());
    }

    Optional<Upload> upload(String uploadId) {
        return db.read(h -> h.createQuery("SELECT upload_id, path, backend_id FROM artifact_uploads WHERE upload_id = :id")
                .bind("id", uploadId)
                .map((rs, ctx) -> new Upload(rs.getString("upload_id"), rs.getString("path"), rs.getString("backend_id")))
                .findOne());
    }

    void removeUpload(String uploadId) {
        db.writeVoid(h -> h.createUpdate("DELETE FROM artifact_uploads WHERE upload_id = :id")
                .bind("id", uploadId)
                .execute());
    }
}
