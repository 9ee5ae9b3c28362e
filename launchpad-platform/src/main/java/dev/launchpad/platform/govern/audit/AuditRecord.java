package dev.launchpad.platform.govern.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.launchpad.core.json.Json;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * One row of the audit log as stored: the event, its sequence number (1, 2, 3, ... without gaps),
 * its time in epoch milliseconds, and its place in the hash chain ({@code prevHash}, {@code hash}).
 */
public record AuditRecord(long seq, long time, String actor, String action, String resource, String source,
                          Integer outcome, String request, String before, String after, String prevHash,
                          String hash) {
    /** The {@code prevHash} of row 1. */
    public static final String GENESIS_HASH = "0".repeat(64);

    /**
     * The canonical serialisation of the row's content that its hash covers: a compact JSON array
     * {@code [seq, time, actor, action, resource, source, outcome, request, before, after]} (nulls as
     * {@code null}, the JSON texts as JSON strings), written by Jackson, whose escaping is deterministic.
     */
    public String canonicalContent() {
        ArrayNode array = Json.mapper().createArrayNode();
        array.add(seq).add(time).add(actor).add(action).add(resource).add(source);
        if (outcome == null) {
            array.addNull();
        } else {
            array.add(outcome.intValue());
        }
        array.add(request).add(before).add(after);
        try {
            return Json.mapper().writeValueAsString(array);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The hash this row must hold: lowercase hex SHA-256 of UTF-8 {@code prevHash + "\n" + canonicalContent()}. */
    public String computeHash() {
        try {
            var digest = MessageDigest.getInstance("SHA-256");
            digest.update(prevHash.getBytes(StandardCharsets.UTF_8));
            digest.update((byte) '\n');
            digest.update(canonicalContent().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** The same row with {@code hash} set to {@link #computeHash()}. */
    AuditRecord sealed() {
        return new AuditRecord(seq, time, actor, action, resource, source, outcome, request, before, after,
                prevHash, computeHash());
    }

    /**
     * The row as a JSON object with snake_case keys. {@code request}, {@code before} and {@code after}
     * are embedded as JSON values when they are valid JSON (they are stored as compact JSON text, which
     * is what the hash covers), as strings otherwise.
     */
    public ObjectNode toJson() {
        var node = Json.mapper().createObjectNode();
        node.put("seq", seq);
        node.put("time", time);
        node.put("actor", actor);
        node.put("action", action);
        node.put("resource", resource);
        node.put("source", source);
        if (outcome == null) {
            node.putNull("outcome");
        } else {
            node.put("outcome", outcome.intValue());
        }
        node.set("request", embedded(request));
        node.set("before", embedded(before));
        node.set("after", embedded(after));
        node.put("prev_hash", prevHash);
        node.put("hash", hash);
        return node;
    }

    private static JsonNode embedded(String text) {
        if (text == null) {
            return Json.mapper().nullNode();
        }
        try {
            var parsed = Json.mapper().readTree(text);
            return parsed == null || parsed.isMissingNode() ? Json.mapper().getNodeFactory().textNode(text) : parsed;
        } catch (JsonProcessingException e) {
            return Json.mapper().getNodeFactory().textNode(text);
        }
    }
}
