package dev.launchpad.core.error;

/**
 * The error codes Launchpad answers with, named and mapped to HTTP status exactly as MLflow's
 * {@code databricks_pb2.ErrorCode} and its REST server do, so that MLflow clients recognise them.
 */
public enum ErrorCode {
    INTERNAL_ERROR(500),
    /** Stored data no longer matches what was recorded (e.g. an artifact's checksum). */
    DATA_LOSS(500),
    TEMPORARILY_UNAVAILABLE(503),
    BAD_REQUEST(400),
    INVALID_PARAMETER_VALUE(400),
    MALFORMED_REQUEST(400),
    INVALID_STATE(400),
    ENDPOINT_NOT_FOUND(404),
    RESOURCE_DOES_NOT_EXIST(404),
    RESOURCE_ALREADY_EXISTS(400),
    RESOURCE_CONFLICT(409),
    PERMISSION_DENIED(403),
    UNAUTHENTICATED(401),
    REQUEST_LIMIT_EXCEEDED(429),
    METHOD_NOT_ALLOWED(405),
    PAYLOAD_TOO_LARGE(413),
    /** A body in a content type the endpoint does not read (MLflow's scoring server answers 415 too). */
    UNSUPPORTED_MEDIA_TYPE(415);

    private final int httpStatus;

    ErrorCode(int httpStatus) {
        this.httpStatus = httpStatus;
    }

    /** The HTTP status an API answers with for this code. */
    public int httpStatus() {
        return httpStatus;
    }
}
