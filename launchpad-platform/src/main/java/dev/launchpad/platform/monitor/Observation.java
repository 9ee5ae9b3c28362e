package dev.launchpad.platform.monitor;

/**
 * One answered (or failed) inference request, as serving hands it to monitoring. The payload is
 * decoded into features on the monitoring thread, never on the request thread.
 *
 * @param deployment the deployment that answered
 * @param version the model version that answered
 * @param requestId the id returned to the client (for feedback), or null
 * @param timestamp when the request was answered (epoch ms, from the injected clock)
 * @param latencyNanos time from receiving the request to having its answer
 * @param outcome {@code ok}, {@code client_error}, {@code overloaded} or {@code error}
 * @param payload the request's inputs and outputs (null unless the outcome is ok)
 */
public record Observation(String deployment, int version, String requestId, long timestamp, long latencyNanos,
                          String outcome, Payload payload) {

    /** Inputs and outputs of a successful request, decoded lazily. */
    public interface Payload {
        FeatureBatch inputs();

        FeatureBatch outputs();

        /**
         * How many values it holds while it waits, what its memory is counted as: tensor elements, a string counting
         * one more for every 8 of its characters (so that 3 KB strings weigh what 400 numbers do).
         */
        default long values() {
            return 0;
        }
    }

    /**
     * Whether text can be a request's id: at most 256 printable ASCII characters. Serving takes no other from a client
     * (the id becomes a response header and a key of logged predictions), and feedback must name one of them.
     */
    public static boolean isRequestId(String id) {
        return id.length() <= 256 && id.chars().allMatch(c -> c >= 0x20 && c < 0x7f);
    }

    /** The same observation without its payload (counted, not profiled). */
    public Observation withoutPayload() {
        return new Observation(deployment, version, requestId, timestamp, latencyNanos, outcome, null);
    }
}
