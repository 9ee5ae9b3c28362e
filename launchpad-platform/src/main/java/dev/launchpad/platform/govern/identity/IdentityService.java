package dev.launchpad.platform.govern.identity;

import dev.launchpad.core.error.LaunchpadException;
import dev.launchpad.core.id.Ids;
import dev.launchpad.platform.store.Database;
import org.jdbi.v3.core.Handle;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Users, service accounts and their API tokens: creating them, issuing and revoking tokens, and
 * checking credentials. Tokens are random 256-bit secrets stored only as their SHA-256, so a leaked
 * database reveals none; passwords are PBKDF2 hashes. A revoked or expired token stops working at
 * once: every check reads the database. Verified passwords are remembered for a minute (as a digest)
 * so clients that send Basic credentials with every request do not pay PBKDF2 each time.
 */
public final class IdentityService {
    /** Prefix of every token Launchpad issues, so they are recognisable (and findable by secret scanners). */
    public static final String TOKEN_PREFIX = "lp_";
    private static final Pattern NAME = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9_.@-]{0,127}$");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final long PASSWORD_CACHE_MILLIS = 60_000;
    private static final Duration MAX_TOKEN_LIFETIME = Duration.ofDays(3653);

    private final Database db;
    private final Clock clock;
    private final Map<String, Long> verifiedPasswords = new ConcurrentHashMap<>();
    private final Map<String, Failures> failures = new ConcurrentHashMap<>();
    private final java.util.concurrent.Semaphore hashPermits =
            new java.util.concurrent.Semaphore(Math.max(1, Runtime.getRuntime().availableProcessors()));
    /** Wrong passwords for one name within {@link #FAILURE_WINDOW_MILLIS} before tries are refused. */
    public static final int MAX_FAILURES = 5;
    private static final long FAILURE_WINDOW_MILLIS = 60_000;
    private static final int MAX_TRACKED_NAMES = 10_000;

    public IdentityService(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /** Creates a user (with an optional password) or a service account (tokens only). */
    public User createUser(String name, User.Kind kind, Role role, String password) {
        validateName(name);
        if (kind == User.Kind.SERVICE && password != null) {
            throw LaunchpadException.invalid("Service accounts sign in with tokens only; give no password.");
        }
        if (password != null && password.length() < 12) {
            throw LaunchpadException.invalid("A password needs at least 12 characters.");
        }
        long now = clock.millis();
        try {
            db.writeVoid(h -> {
                if (find(h, name).isPresent()) {
                    throw alreadyExists(name);
                }
                h.createUpdate("INSERT INTO users (name, kind, role, password_hash, creation_time, disabled)"
                                + " VALUES (:name, :kind, :role, :hash, :now, 0)")
                        .bind("name", name).bind("kind", kind.name()).bind("role", role.name())
                        .bind("hash", password == null ? null : Passwords.hash(password)).bind("now", now).execute();
            });
        } catch (RuntimeException e) {
            if (!(e instanceof LaunchpadException) && Database.isUniqueViolation(e)) {
                throw alreadyExists(name);
            }
            throw e;
        }
        return getUser(name);
    }

    public User getUser(String name) {
        validateName(name);
        return db.read(h -> find(h, name)).orElseThrow(() -> LaunchpadException.notFound("User '" + name + "' not found."));
    }

    public List<User> listUsers() {
        return db.read(h -> h.createQuery("SELECT * FROM users ORDER BY name").map((rs, ctx) -> user(rs)).list());
    }

    /** Whether anyone exists yet (the first start creates the admin). */
    public boolean hasUsers() {
        return db.read(h -> h.createQuery("SELECT COUNT(*) FROM users").mapTo(Long.class).one()) > 0;
    }

    /** Changes a user's role; the last enabled admin cannot stop being one (nobody could manage users). */
    public User setRole(String name, Role role) {
        validateName(name);
        db.writeVoid(h -> {
            if (role != Role.ADMIN) {
                keepAnAdmin(h, name, "lose the admin role");
            }
            set(h, name, "UPDATE users SET role = :v WHERE name = :name", role.name());
        });
        verifiedPasswords.clear();
        return getUser(name);
    }

    /**
     * Disables or re-enables a user; a disabled user's credentials stop working at once. The last
     * enabled admin cannot be disabled.
     */
    public User setDisabled(String name, boolean disabled) {
        validateName(name);
        db.writeVoid(h -> {
            if (disabled) {
                keepAnAdmin(h, name, "be disabled");
            }
            set(h, name, "UPDATE users SET disabled = :v WHERE name = :name", disabled ? 1 : 0);
        });
        verifiedPasswords.clear();
        return getUser(name);
    }

    /**
     * A user changing their own password: when they have one, they must give it ({@code current}), so a
     * stolen session token alone cannot take the account over.
     */
    public void changeOwnPassword(String name, String current, String password) {
        var stored = db.read(h -> h.createQuery("SELECT password_hash FROM users WHERE name = :name")
                .bind("name", name).mapTo(String.class).findOne());
        if (stored.isPresent() && stored.get() != null) {
            if (current == null || current.isEmpty()) {
                throw LaunchpadException.invalid("Changing your own password needs 'current_password'.");
            }
            if (authenticatePassword(name, current).isEmpty()) {
                throw new LaunchpadException(dev.launchpad.core.error.ErrorCode.PERMISSION_DENIED,
                        "'current_password' is not your current password.");
            }
        }
        setPassword(name, password);
    }

    private static void keepAnAdmin(Handle h, String name, String change) {
        var target = find(h, name).orElseThrow(() -> LaunchpadException.notFound("User '" + name + "' not found."));
        if (target.role() != Role.ADMIN || target.disabled()) {
            return;
        }
        long otherAdmins = h.createQuery("SELECT COUNT(*) FROM users WHERE role = 'ADMIN' AND disabled = 0"
                        + " AND name <> :name")
                .bind("name", name).mapTo(Long.class).one();
        if (otherAdmins == 0) {
            throw new LaunchpadException(dev.launchpad.core.error.ErrorCode.INVALID_STATE, "User '" + name
                    + "' is the last enabled admin and cannot " + change + "; make another admin first.");
        }
    }

    private static void set(Handle h, String name, String sql, Object value) {
        if (h.createUpdate(sql).bind("name", name).bind("v", value).execute() == 0) {
            throw LaunchpadException.notFound("User '" + name + "' not found.");
        }
    }

    public void setPassword(String name, String password) {
        if (password == null || password.length() < 12) {
            throw LaunchpadException.invalid("A password needs at least 12 characters.");
        }
        if (getUser(name).kind() == User.Kind.SERVICE) {
            throw LaunchpadException.invalid("Service accounts sign in with tokens only.");
        }
        update(name, "UPDATE users SET password_hash = :v WHERE name = :name", Passwords.hash(password));
    }

    private void update(String name, String sql, Object value) {
        validateName(name);
        db.writeVoid(h -> {
            if (h.createUpdate(sql).bind("name", name).bind("v", value).execute() == 0) {
                throw LaunchpadException.notFound("User '" + name + "' not found.");
            }
        });
        verifiedPasswords.clear();
    }

    /** Issues a token for {@code user}, valid for {@code ttl} (null: until revoked). The secret is in the result only. */
    public IssuedToken issueToken(String user, String tokenName, Duration ttl) {
        return issueToken(user, tokenName, ttl, null);
    }

    private IssuedToken issueToken(String user, String tokenName, Duration ttl, String presetSecret) {
        getUser(user);
        if (tokenName == null || tokenName.isBlank() || tokenName.length() > 128) {
            throw LaunchpadException.invalid("A token needs a name of 1 to 128 characters.");
        }
        if (ttl != null && (ttl.isNegative() || ttl.isZero() || ttl.compareTo(MAX_TOKEN_LIFETIME) > 0)) {
            throw LaunchpadException.invalid("A token's lifetime must be positive and at most 10 years"
                    + " (leave it out for a token that lasts until revoked).");
        }
        var bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        var secret = presetSecret != null ? presetSecret
                : TOKEN_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        long now = clock.millis();
        var token = new ApiToken(Ids.newHexId().substring(0, 16), user, tokenName, now,
                ttl == null ? null : now + ttl.toMillis(), null);
        db.writeVoid(h -> h.createUpdate("INSERT INTO api_tokens (id, user_name, name, token_hash, creation_time,"
                        + " expiry_time, revoked_time) VALUES (:id, :user, :name, :hash, :now, :expiry, NULL)")
                .bind("id", token.id()).bind("user", user).bind("name", tokenName).bind("hash", digest(secret))
                .bind("now", now).bind("expiry", token.expiryTime()).execute());
        return new IssuedToken(token, secret);
    }

    /** Revokes a token by id; from now on it authenticates nobody. */
    public ApiToken revokeToken(String id) {
        long now = clock.millis();
        db.writeVoid(h -> {
            if (h.createUpdate("UPDATE api_tokens SET revoked_time = :now WHERE id = :id AND revoked_time IS NULL")
                    .bind("now", now).bind("id", id).execute() == 0 && findToken(h, id).isEmpty()) {
                throw LaunchpadException.notFound("Token '" + id + "' not found.");
            }
        });
        return db.read(h -> findToken(h, id)).orElseThrow();
    }

    public Optional<ApiToken> getToken(String id) {
        return db.read(h -> findToken(h, id));
    }

    /** A user's tokens (records only), newest first. */
    public List<ApiToken> listTokens(String user) {
        getUser(user);
        return db.read(h -> h.createQuery("SELECT * FROM api_tokens WHERE user_name = :user ORDER BY creation_time DESC, id")
                .bind("user", user).map((rs, ctx) -> token(rs)).list());
    }

    /** The enabled user a token secret belongs to, if it is a live token. */
    public Optional<User> authenticateToken(String secret) {
        if (secret == null || !secret.startsWith(TOKEN_PREFIX) || secret.length() > 200) {
            return Optional.empty();
        }
        long now = clock.millis();
        return db.read(h -> h.createQuery("SELECT t.expiry_time, t.revoked_time, u.* FROM api_tokens t"
                        + " JOIN users u ON u.name = t.user_name WHERE t.token_hash = :hash")
                .bind("hash", digest(secret))
                .map((rs, ctx) -> {
                    Long expiry = Database.nullableLong(rs, "expiry_time");
                    Long revoked = Database.nullableLong(rs, "revoked_time");
                    boolean live = revoked == null && (expiry == null || now < expiry);
                    return live ? user(rs) : null;
                }).findOne()).filter(u -> !u.disabled());
    }

    /**
     * The enabled user whose password this is. Guessing is slowed down: after
     * {@value #MAX_FAILURES} wrong passwords for a name within a minute, further tries for that name are
     * refused (REQUEST_LIMIT_EXCEEDED) until the minute is over, without hashing; unknown names cost the
     * same hashing as known ones, so answers do not tell which names exist; and at most one hash per core
     * runs at a time.
     */
    public Optional<User> authenticatePassword(String name, String password) {
        if (name == null || password == null || !NAME.matcher(name).matches() || password.length() > 1024) {
            return Optional.empty();
        }
        var key = digest(name + "\u0000" + password);
        Long until = verifiedPasswords.get(key);
        long now = clock.millis();
        if (until != null && until > now) {
            return db.read(h -> find(h, name)).filter(u -> !u.disabled());
        }
        var failed = failures.get(name);
        if (failed != null && failed.count() >= MAX_FAILURES && now < failed.since() + FAILURE_WINDOW_MILLIS) {
            long seconds = Math.max(1, (failed.since() + FAILURE_WINDOW_MILLIS - now + 999) / 1000);
            throw new LaunchpadException(dev.launchpad.core.error.ErrorCode.REQUEST_LIMIT_EXCEEDED,
                    "Too many wrong passwords for '" + name + "'; try again in " + seconds + " s (or use a token).");
        }
        var stored = db.read(h -> h.createQuery("SELECT password_hash FROM users WHERE name = :name")
                .bind("name", name).mapTo(String.class).findOne()).orElse(null);
        boolean matches = hashing(() -> {
            if (stored == null) {
                Passwords.matches(password, TimingEqualizer.HASH); // same work, answer is no
                return false;
            }
            return Passwords.matches(password, stored);
        });
        if (!matches) {
            recordFailure(name, now);
            return Optional.empty();
        }
        failures.remove(name);
        verifiedPasswords.put(key, now + PASSWORD_CACHE_MILLIS);
        return db.read(h -> find(h, name)).filter(u -> !u.disabled());
    }

    private boolean hashing(java.util.function.BooleanSupplier check) {
        try {
            if (!hashPermits.tryAcquire(10, java.util.concurrent.TimeUnit.SECONDS)) {
                throw new LaunchpadException(dev.launchpad.core.error.ErrorCode.TEMPORARILY_UNAVAILABLE,
                        "Too many password sign-ins at once; try again, or use a token.");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LaunchpadException(dev.launchpad.core.error.ErrorCode.TEMPORARILY_UNAVAILABLE,
                    "Interrupted while checking a password.");
        }
        try {
            return check.getAsBoolean();
        } finally {
            hashPermits.release();
        }
    }

    private void recordFailure(String name, long now) {
        if (failures.size() > MAX_TRACKED_NAMES) {
            failures.values().removeIf(f -> now >= f.since() + FAILURE_WINDOW_MILLIS);
        }
        failures.compute(name, (n, f) -> f == null || now >= f.since() + FAILURE_WINDOW_MILLIS
                ? new Failures(1, now) : new Failures(f.count() + 1, f.since()));
    }

    /** Wrong passwords for one name since the start of its window. */
    private record Failures(int count, long since) {
    }

    /** A hash to check against for unknown names, made once, so they cost what known names cost. */
    private static final class TimingEqualizer {
        static final String HASH = Passwords.hash("timing-equalizer-" + Ids.newHexId());
    }

    /**
     * On first start (no users at all): creates the admin user {@code admin} and issues its first token,
     * {@code presetSecret} when given (e.g. from an environment variable), else a fresh one.
     * Empty when users already exist.
     */
    public Optional<IssuedToken> bootstrapAdmin(String presetSecret) {
        if (hasUsers()) {
            return Optional.empty();
        }
        if (presetSecret != null && (!presetSecret.startsWith(TOKEN_PREFIX) || presetSecret.length() < 24)) {
            throw LaunchpadException.invalid("A preset admin token must start with '" + TOKEN_PREFIX
                    + "' and have at least 24 characters.");
        }
        createUser("admin", User.Kind.USER, Role.ADMIN, null);
        return Optional.of(issueToken("admin", "first-start", null, presetSecret));
    }

    /** The SHA-256 (hex) under which a token secret is stored. */
    static String digest(String secret) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Optional<User> find(Handle h, String name) {
        return h.createQuery("SELECT * FROM users WHERE name = :name").bind("name", name).map((rs, ctx) -> user(rs)).findOne();
    }

    private static Optional<ApiToken> findToken(Handle h, String id) {
        return h.createQuery("SELECT * FROM api_tokens WHERE id = :id").bind("id", id).map((rs, ctx) -> token(rs)).findOne();
    }

    private static User user(ResultSet rs) throws SQLException {
        return new User(rs.getString("name"), User.Kind.valueOf(rs.getString("kind")), Role.valueOf(rs.getString("role")),
                rs.getLong("creation_time"), rs.getInt("disabled") != 0);
    }

    private static ApiToken token(ResultSet rs) throws SQLException {
        return new ApiToken(rs.getString("id"), rs.getString("user_name"), rs.getString("name"),
                rs.getLong("creation_time"), Database.nullableLong(rs, "expiry_time"),
                Database.nullableLong(rs, "revoked_time"));
    }

    private static void validateName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw LaunchpadException.invalid("Invalid user name '" + name + "': letters, digits, '_', '.', '@' and '-',"
                    + " starting with a letter or digit, at most 128 characters.");
        }
    }

    private static LaunchpadException alreadyExists(String name) {
        return LaunchpadException.alreadyExists("User '" + name + "' already exists.");
    }
}
