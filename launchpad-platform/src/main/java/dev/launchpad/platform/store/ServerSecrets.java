package dev.launchpad.platform.store;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.HexFormat;

/**
 * Random keys the server keeps in its metadata store, created on first use (256 bits), so that every
 * replica sharing the database signs and checks with the same key and restarts keep it.
 */
public final class ServerSecrets {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Database db;
    private final Clock clock;

    public ServerSecrets(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /** The key named {@code name}, created now if it does not exist yet. */
    public byte[] key(String name) {
        var existing = db.read(h -> h.createQuery("SELECT secret FROM server_secrets WHERE name = :name")
                .bind("name", name).mapTo(String.class).findOne());
        if (existing.isPresent()) {
            return HexFormat.of().parseHex(existing.get());
        }
        var fresh = new byte[32];
        RANDOM.nextBytes(fresh);
        db.writeVoid(h -> h.createUpdate("INSERT INTO server_secrets (name, secret, creation_time)"
                        + " VALUES (:name, :secret, :now) ON CONFLICT (name) DO NOTHING")
                .bind("name", name).bind("secret", HexFormat.of().formatHex(fresh)).bind("now", clock.millis()).execute());
        // whoever inserted first wins; everyone reads the stored key
        return HexFormat.of().parseHex(db.read(h -> h.createQuery("SELECT secret FROM server_secrets WHERE name = :name")
                .bind("name", name).mapTo(String.class).one()));
    }
}
