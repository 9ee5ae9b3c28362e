package dev.launchpad.core.error;

/**
 * A failure with a typed {@link ErrorCode} and a message meant for the caller; the HTTP layer
 * turns it into {@code {"error_code": ..., "message": ...}} with the code's status.
 */
public class LaunchpadException extends RuntimeException {
    private final ErrorCode code;

    public LaunchpadException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public LaunchpadException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }

    public static LaunchpadException invalid(String message) {
        return new LaunchpadException(ErrorCode.INVALID_PARAMETER_VALUE, message);
    }

    public static LaunchpadException notFound(String message) {
        return new LaunchpadException(ErrorCode.RESOURCE_DOES_NOT_EXIST, message);
    }

    public static LaunchpadException alreadyExists(String message) {
        return new LaunchpadException(ErrorCode.RESOURCE_ALREADY_EXISTS, message);
    }
}
