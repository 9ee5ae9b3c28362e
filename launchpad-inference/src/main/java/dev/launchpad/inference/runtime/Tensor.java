package dev.launchpad.inference.runtime;

import dev.launchpad.core.schema.TensorType;

import java.lang.reflect.Array;
import java.util.Arrays;

/**
 * A named tensor: element type, shape and the elements in row-major order as a flat Java array —
 * {@code float[]} (FLOAT32, FLOAT16), {@code double[]} (FLOAT64), {@code int[]} (INT8, INT16, INT32, UINT8,
 * UINT16), {@code long[]} (INT64, UINT32, UINT64), {@code boolean[]} (BOOL) or {@code String[]} (STRING).
 */
public record Tensor(String name, TensorType type, long[] shape, Object data) {

    public Tensor {
        java.util.Objects.requireNonNull(name, "name");
        java.util.Objects.requireNonNull(type, "type");
        shape = shape.clone();
        if (!carrierOf(type).isInstance(data)) {
            throw new IllegalArgumentException("tensor '" + name + "' of type " + type + " needs a "
                    + carrierOf(type).getSimpleName() + ", got " + (data == null ? "null" : data.getClass().getSimpleName()));
        }
    }

    /** The Java array class that carries elements of {@code type}. */
    public static Class<?> carrierOf(TensorType type) {
        return switch (type) {
            case FLOAT32, FLOAT16 -> float[].class;
            case FLOAT64 -> double[].class;
            case INT8, INT16, INT32, UINT8, UINT16 -> int[].class;
            case INT64, UINT32, UINT64 -> long[].class;
            case BOOL -> boolean[].class;
            case STRING -> String[].class;
        };
    }

    public static Tensor of(String name, float[] data, long... shape) {
        return new Tensor(name, TensorType.FLOAT32, shape, data);
    }

    public static Tensor of(String name, double[] data, long... shape) {
        return new Tensor(name, TensorType.FLOAT64, shape, data);
    }

    public static Tensor of(String name, long[] data, long... shape) {
        return new Tensor(name, TensorType.INT64, shape, data);
    }

    public static Tensor of(String name, String[] data, long... shape) {
        return new Tensor(name, TensorType.STRING, shape, data);
    }

    public static Tensor of(String name, int[] data, long... shape) {
        return new Tensor(name, TensorType.INT32, shape, data);
    }

    public static Tensor of(String name, boolean[] data, long... shape) {
        return new Tensor(name, TensorType.BOOL, shape, data);
    }

    /** The tensor called {@code name} in {@code tensors} (a model's outputs, say). */
    public static Tensor named(java.util.List<Tensor> tensors, String name) {
        for (var t : tensors) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        throw new java.util.NoSuchElementException("no tensor named '" + name + "' among "
                + tensors.stream().map(Tensor::name).toList());
    }

    /** Number of elements held. */
    public int length() {
        return Array.getLength(data);
    }

    /** The first dimension (rows), or 1 for a scalar. */
    public long rows() {
        return shape.length == 0 ? 1 : shape[0];
    }

    public float[] floats() {
        return (float[]) data;
    }

    public double[] doubles() {
        return (double[]) data;
    }

    public long[] longs() {
        return (long[]) data;
    }

    public int[] ints() {
        return (int[]) data;
    }

    public boolean[] booleans() {
        return (boolean[]) data;
    }

    public String[] strings() {
        return (String[]) data;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tensor t && name.equals(t.name) && type == t.type && Arrays.equals(shape, t.shape)
                && Arrays.deepEquals(new Object[] {data}, new Object[] {t.data});
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return "Tensor[" + name + " " + type + " " + Arrays.toString(shape) + "]";
    }
}
