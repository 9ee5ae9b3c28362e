package dev.launchpad.bench.serving;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/** What the load clients post: the body's bytes and the headers that say what they are. */
record RequestBody(byte[] bytes, Map<String, String> headers) {

    /** A JSON body. */
    static RequestBody json(String text) {
        return new RequestBody(text.getBytes(StandardCharsets.UTF_8), Map.of("Content-Type", "application/json"));
    }

    /** An Open Inference Protocol body with binary tensor data: the JSON header, then {@code data}. */
    static RequestBody binary(String jsonHeader, byte[] data) {
        byte[] header = jsonHeader.getBytes(StandardCharsets.UTF_8);
        byte[] bytes = new byte[header.length + data.length];
        System.arraycopy(header, 0, bytes, 0, header.length);
        System.arraycopy(data, 0, bytes, header.length, data.length);
        return new RequestBody(bytes, Map.of("Content-Type", "application/octet-stream",
                "Inference-Header-Content-Length", Integer.toString(header.length)));
    }
}
