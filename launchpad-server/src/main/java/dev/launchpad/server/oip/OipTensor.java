package dev.launchpad.server.oip;

import dev.launchpad.core.error.LaunchpadException;
import dev.launchpad.core.schema.TensorType;

import java.util.Arrays;

/**
 * One tensor of an Open Inference Protocol request or response: name, OIP datatype, shape and the
 * elements in row-major order as a flat Java array ({@code boolean[]} for BOOL, {@code byte[]},
 * {@code short[]}, {@code int[]}, {@code long[]} for the integer types, {@code float[]} for FP16/FP32,
 * {@code double[]} for FP64, {@code String[]} for BYTES).
 */
public record OipTensor(String name, String datatype, long[] shape, Object data) {

    public OipTensor {
        shape = shape.clone();
    }

    /** Elements a shape holds; INVALID_PARAMETER_VALUE for negative or overflowing dimensions. */
    public static long elementCount(String tensor, long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw LaunchpadException.invalid("Tensor '" + tensor + "' has a negative dimension in shape "
                        + Arrays.toString(shape) + ".");
            }
            try {
                n = Math.multiplyExact(n, d);
            } catch (ArithmeticException overflow) {
                throw LaunchpadException.invalid("Tensor '" + tensor + "' has more elements than can be counted in shape "
                        + Arrays.toString(shape) + ".");
            }
        }
        return n;
    }

    /** The number of elements in {@link #data()}. */
    public int length() {
        return java.lang.reflect.Array.getLength(data);
    }

    /** The OIP datatype for a signature's tensor type. */
    public static String datatypeOf(TensorType type) {
        return switch (type) {
            case BOOL -> "BOOL";
            case INT8 -> "INT8";
            case INT16 -> "INT16";
            case INT32 -> "INT32";
            case INT64 -> "INT64";
            case UINT8 -> "UINT8";
            case UINT16 -> "UINT16";
            case UINT32 -> "UINT32";
            case UINT64 -> "UINT64";
            case FLOAT16 -> "FP16";
            case FLOAT32 -> "FP32";
            case FLOAT64 -> "FP64";
            case STRING -> "BYTES";
        };
    }

    /** The tensor type of an OIP datatype; INVALID_PARAMETER_VALUE naming the tensor for unknown ones. */
    public static TensorType typeOf(String tensor, String datatype) {
        if (datatype == null) {
            throw LaunchpadException.invalid("Tensor '" + tensor + "' has no 'datatype'.");
        }
        return switch (datatype) {
            case "BOOL" -> TensorType.BOOL;
            case "INT8" -> TensorType.INT8;
            case "INT16" -> TensorType.INT16;
            case "INT32" -> TensorType.INT32;
            case "INT64" -> TensorType.INT64;
            case "UINT8" -> TensorType.UINT8;
            case "UINT16" -> TensorType.UINT16;
            case "UINT32" -> TensorType.UINT32;
            case "UINT64" -> TensorType.UINT64;
            case "FP16" -> TensorType.FLOAT16;
            case "FP32" -> TensorType.FLOAT32;
            case "FP64" -> TensorType.FLOAT64;
            case "BYTES" -> TensorType.STRING;
            default -> throw LaunchpadException.invalid("Tensor '" + tensor + "' has unknown datatype '" + datatype
                    + "'; the Open Inference Protocol's datatypes are BOOL, UINT8-64, INT8-64, FP16, FP32, FP64"
                    + " and BYTES.");
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OipTensor t && name.equals(t.name) && datatype.equals(t.datatype)
                && Arrays.equals(shape, t.shape) && Arrays.deepEquals(new Object[] {data}, new Object[] {t.data});
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return "OipTensor[" + name + " " + datatype + " " + Arrays.toString(shape) + "]";
    }
}
