package dev.launchpad.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.launchpad.core.error.ErrorCode;
import dev.launchpad.core.error.LaunchpadException;
import dev.launchpad.core.json.Json;
import dev.launchpad.core.text.Decimals;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The parameters of an API call, read from the JSON body (POST, PATCH, PUT) or the query string
 * (GET; DELETE without a body) alike, with type checks that answer INVALID_PARAMETER_VALUE naming the field.
 * Numbers are accepted as JSON numbers or as strings, as protobuf's JSON mapping sends int64s.
 */
public final class ApiRequest {
    private final ObjectNode body;
    private final Context query;
    private Context context;

    private ApiRequest(ObjectNode body, Context query) {
        this.body = body;
        this.query = query;
    }

    /** The request's parameters, parsed once per request (the authorization filter reads them too). */
    public static ApiRequest of(Context ctx) {
        ApiRequest cached = ctx.attribute(ATTRIBUTE);
        if (cached != null) {
            return cached;
        }
        var request = parse(ctx);
        request.context = ctx;
        ctx.attribute(ATTRIBUTE, request);
        return request;
    }

    private static final String ATTRIBUTE = "launchpad.request";

    /** The HTTP context of the request (for handlers that need the caller or headers). */
    public Context context() {
        if (context == null) {
            throw new IllegalStateException("no request context");
        }
        return context;
    }

    /** A path parameter of the route, e.g. {@code {name}} in {@code /api/v1/models/{name}}. */
    public String pathParam(String name) {
        if (context == null) {
            throw new IllegalStateException("no request context");
        }
        return context.pathParam(name);
    }

    private static ApiRequest parse(Context ctx) {
        if (ctx.method() == HandlerType.GET) {
            return new ApiRequest(null, ctx);
        }
        var bytes = ctx.bodyAsBytes();
        if (ctx.method() == HandlerType.DELETE && bytes.length == 0) {
            return new ApiRequest(null, ctx); // MLflow clients send DELETE parameters as JSON or in the query
        }
        if (bytes.length == 0) {
            return new ApiRequest(JsonNodeFactory.instance.objectNode(), null);
        }
        JsonNode node;
        try {
            node = Json.mapper().readTree(bytes);
        } catch (JsonProcessingException e) {
            throw new LaunchpadException(ErrorCode.MALFORMED_REQUEST, "Malformed request body: it is not valid JSON ("
                    + e.getOriginalMessage() + ")");
        } catch (java.io.IOException e) {
            throw new LaunchpadException(ErrorCode.MALFORMED_REQUEST, "Could not read the request body");
        }
        if (node == null || node.isMissingNode() || node.isNull()) {
            return new ApiRequest(JsonNodeFactory.instance.objectNode(), null);
        }
        if (!node.isObject()) {
            throw new LaunchpadException(ErrorCode.MALFORMED_REQUEST,
                    "Malformed request body: expected a JSON object, got " + node.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
        }
        return new ApiRequest((ObjectNode) node, null);
    }

    /** An optional string; null when absent. */
    public String string(String name) {
        if (query != null) {
            return query.queryParam(name);
        }
        var node = body.get(name);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw wrongType(name, node, "a string");
        }
        return node.textValue();
    }

    public String requiredString(String name) {
        var value = string(name);
        if (value == null || value.isEmpty()) {
            throw missing(name);
        }
        return value;
    }

    /** An optional boolean: a JSON boolean or "true"/"false"; false when absent. */
    public boolean optionalBoolean(String name) {
        if (query != null) {
            var text = query.queryParam(name);
            if (text == null || text.isEmpty()) {
                return false;
            }
            if (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false")) {
                return Boolean.parseBoolean(text);
            }
            throw LaunchpadException.invalid("Invalid value \"" + text + "\" for parameter '" + name
                    + "' supplied: expected true or false.");
        }
        var node = body.get(name);
        if (node == null || node.isNull()) {
            return false;
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isTextual() && (node.textValue().equalsIgnoreCase("true") || node.textValue().equalsIgnoreCase("false"))) {
            return Boolean.parseBoolean(node.textValue());
        }
        throw wrongType(name, node, "a boolean");
    }

    /** The first present of several names (e.g. run_id and its legacy alias run_uuid). */
    public String requiredString(String name, String alias) {
        var value = string(name);
        if (value == null || value.isEmpty()) {
            value = string(alias);
        }
        if (value == null || value.isEmpty()) {
            throw missing(name);
        }
        return value;
    }

    public Long optionalLong(String name) {
        return number(name, "an integer", text -> Long.parseLong(text.strip()), node -> {
            if (node.isIntegralNumber() && node.canConvertToLong()) {
                return node.longValue();
            }
            if (node.isFloatingPointNumber() && node.doubleValue() == Math.rint(node.doubleValue())
                    && Math.abs(node.doubleValue()) < 9e15) {
                return (long) node.doubleValue();
            }
            return null;
        });
    }

    public long requiredLong(String name) {
        var value = optionalLong(name);
        if (value == null) {
            throw missing(name);
        }
        return value;
    }

    public Integer optionalInt(String name) {
        var value = optionalLong(name);
        if (value == null) {
            return null;
        }
        if (value > Integer.MAX_VALUE || value < Integer.MIN_VALUE) {
            throw LaunchpadException.invalid("Invalid value " + value + " for parameter '" + name
                    + "' supplied: it is out of range.");
        }
        return value.intValue();
    }

    /** A double; also the strings "NaN", "Infinity" and "-Infinity" that protobuf JSON uses. */
    public double requiredDouble(String name) {
        var value = number(name, "a number", ApiRequest::parseDouble,
                node -> node.isNumber() ? node.doubleValue() : null);
        if (value == null) {
            throw missing(name);
        }
        return value;
    }

    /** A list of strings: a JSON array of strings, or a repeated query parameter. */
    public List<String> stringList(String name) {
        if (query != null) {
            return List.copyOf(query.queryParams(name));
        }
        var node = body.get(name);
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (node.isTextual()) {
            return List.of(node.textValue());
        }
        if (!node.isArray()) {
            throw wrongType(name, node, "a list of strings");
        }
        var values = new ArrayList<String>();
        for (var element : node) {
            if (!element.isTextual()) {
                throw wrongType(name, node, "a list of strings");
            }
            values.add(element.textValue());
        }
        return values;
    }

    /** A list of JSON objects, each read as its own request. */
    public List<ApiRequest> objectList(String name) {
        if (query != null) {
            if (query.queryParam(name) != null) {
                throw LaunchpadException.invalid("Parameter '" + name + "' must be sent in a JSON body.");
            }
            return List.of();
        }
        var node = body.get(name);
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw wrongType(name, node, "a list of objects");
        }
        var values = new ArrayList<ApiRequest>();
        for (var element : node) {
            if (!element.isObject()) {
                throw wrongType(name, node, "a list of objects");
            }
            values.add(new ApiRequest((ObjectNode) element, null));
        }
        return values;
    }

    /** The field names of a JSON body (empty for query-string requests). */
    public List<String> fieldNames() {
        if (body == null) {
            return List.of();
        }
        var names = new ArrayList<String>();
        body.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** A field of the JSON body as it was sent (any JSON type), or null when absent or not a JSON body. */
    public JsonNode json(String name) {
        return query != null ? null : body.get(name);
    }

    /** A nested object, or null when absent. */
    public ApiRequest object(String name) {
        if (query != null) {
            return null;
        }
        var node = body.get(name);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            throw wrongType(name, node, "an object");
        }
        return new ApiRequest((ObjectNode) node, null);
    }

    private <T> T number(String name, String expected, Function<String, T> fromText, Function<JsonNode, T> fromNode) {
        if (query != null) {
            var text = query.queryParam(name);
            if (text == null || text.isEmpty()) {
                return null;
            }
            try {
                return fromText.apply(text);
            } catch (NumberFormatException e) {
                throw LaunchpadException.invalid("Invalid value \"" + text + "\" for parameter '" + name
                        + "' supplied: expected " + expected + ".");
            }
        }
        var node = body.get(name);
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isTextual()) {
            try {
                return fromText.apply(node.textValue());
            } catch (NumberFormatException e) {
                throw wrongType(name, node, expected);
            }
        }
        var value = fromNode.apply(node);
        if (value == null) {
            throw wrongType(name, node, expected);
        }
        return value;
    }

    private static double parseDouble(String text) {
        return switch (text.strip()) {
            case "NaN" -> Double.NaN;
            case "Infinity", "inf", "+Infinity" -> Double.POSITIVE_INFINITY;
            case "-Infinity", "-inf" -> Double.NEGATIVE_INFINITY;
            default -> {
                var value = Decimals.parse(text.strip()); // not "1d" or "0x1p3", which Double.parseDouble takes
                if (value == null) {
                    throw new NumberFormatException(text);
                }
                yield value;
            }
        };
    }

    private static LaunchpadException wrongType(String name, JsonNode node, String expected) {
        var shown = node.toString();
        if (shown.length() > 100) {
            shown = shown.substring(0, 100) + "...";
        }
        return LaunchpadException.invalid("Invalid value " + shown + " for parameter '" + name
                + "' supplied: expected " + expected + ".");
    }

    public static LaunchpadException missing(String name) {
        return LaunchpadException.invalid("Missing value for required parameter '" + name
                + "'. See the API docs for more information about request parameters.");
    }
}
