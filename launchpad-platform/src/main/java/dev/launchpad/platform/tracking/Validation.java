package dev.launchpad.platform.tracking;

import dev.launchpad.core.error.LaunchpadException;

import java.util.regex.Pattern;

/** Input rules and limits for tracking data, the same as MLflow's so clients see the same errors. */
public final class Validation {
    public static final int MAX_KEY_LENGTH = 250;
    public static final int MAX_PARAM_VALUE_LENGTH = 6000;
    public static final int MAX_TAG_VALUE_LENGTH = 8000;
    public static final int MAX_EXPERIMENT_TAG_VALUE_LENGTH = 5000;
    public static final int MAX_EXPERIMENT_NAME_LENGTH = 500;
    public static final int MAX_BATCH_METRICS = 1000;
    public static final int MAX_BATCH_PARAMS = 100;
    public static final int MAX_BATCH_TAGS = 100;
    public static final int MAX_BATCH_ENTITIES = 1000;
    public static final int MAX_RESULTS_LIMIT = 50_000;
    public static final int MAX_DATASET_FIELD_LENGTH = 1_048_576;

    private static final Pattern KEY = Pattern.compile("^[/\\w.\\- :]*$", Pattern.UNICODE_CHARACTER_CLASS);
    private static final Pattern RUN_ID = Pattern.compile("^[a-zA-Z0-9][\\w\\-]{0,255}$");

    private Validation() {
    }

    /** Checks a metric, param or tag key: non-empty, at most 250 characters, safe characters, no path tricks. */
    public static void key(String kind, String key) {
        if (key == null || key.isEmpty()) {
            throw LaunchpadException.invalid("Missing value for required parameter 'key'. "
                    + "See the API docs for more information about request parameters.");
        }
        if (key.length() > MAX_KEY_LENGTH) {
            throw LaunchpadException.invalid(kind + " '" + key.substring(0, 32) + "...' had length "
                    + key.length() + ", which exceeded length limit of " + MAX_KEY_LENGTH);
        }
        if (!KEY.matcher(key).matches() || key.startsWith("/") || key.contains("..") || key.contains("//")
                || key.equals(".")) {
            throw LaunchpadException.invalid("Invalid " + kind.toLowerCase(java.util.Locale.ROOT) + " name: '" + key
                    + "'. Names may only contain alphanumerics, underscores (_), dashes (-), periods (.),"
                    + " spaces ( ), colons(:) and slashes (/), and may not start with '/' or contain '..'.");
        }
    }

    public static void value(String kind, String key, String value, int limit) {
        if (value != null && value.length() > limit) {
            throw LaunchpadException.invalid(kind + " value '" + value.substring(0, 32) + "...' had length "
                    + value.length() + ", which exceeded length limit of " + limit + " (key '" + key + "')");
        }
    }

    /** Checks the shape of a run id before it reaches the database. */
    public static void runId(String runId) {
        if (runId == null || runId.isEmpty()) {
            throw LaunchpadException.invalid("Missing value for required parameter 'run_id'. "
                    + "See the API docs for more information about request parameters.");
        }
        if (!RUN_ID.matcher(runId).matches()) {
            throw LaunchpadException.invalid("Invalid value \"" + runId + "\" for parameter 'run_id' supplied.");
        }
    }

    public static int maxResults(Integer requested, int defaultValue) {
        if (requested == null) {
            return defaultValue;
        }
        if (requested <= 0) {
            throw LaunchpadException.invalid("Invalid value " + requested
                    + " for parameter 'max_results' supplied. It must be a positive integer");
        }
        if (requested > MAX_RESULTS_LIMIT) {
            throw LaunchpadException.invalid("Invalid value " + requested + " for parameter 'max_results' supplied."
                    + " It must be at most " + MAX_RESULTS_LIMIT);
        }
        return requested;
    }
}
