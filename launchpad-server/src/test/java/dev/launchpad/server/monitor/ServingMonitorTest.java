package dev.launchpad.server.monitor;

import dev.launchpad.core.schema.ColumnType;
import dev.launchpad.core.schema.Signature;
import dev.launchpad.core.schema.Spec;
import dev.launchpad.platform.monitor.FeatureBatch;
import dev.launchpad.server.oip.OipTensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** How served tensors become monitored features (on the monitoring thread). */
class ServingMonitorTest {

    @Test
    void aMatrixIsOneFeaturePerColumnNamedAfterTheTensorOrTheSignature() {
        var x = new OipTensor("x", "FP32", new long[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6});
        var batch = ServingMonitor.fromTensors(List.of(x), null, false);
        assertThat(batch.rows()).isEqualTo(2);
        assertThat(batch.features()).extracting(FeatureBatch.Feature::name).containsExactly("x_0", "x_1", "x_2");
        assertThat(batch.features().get(1).numbers()).containsExactly(2, 5);
        // the names are built once per tensor and width, not per request, also when an input and an output
        // tensor (or several models' tensors) take turns
        var x3 = ServingMonitor.indexedNames("x", 3);
        var p2 = ServingMonitor.indexedNames("p", 2);
        assertThat(ServingMonitor.indexedNames(new String("x"), 3)).isSameAs(x3);
        assertThat(ServingMonitor.indexedNames("p", 2)).isSameAs(p2).containsExactly("p_0", "p_1");
        assertThat(ServingMonitor.indexedNames("x", 2)).containsExactly("x_0", "x_1");
        assertThat(ServingMonitor.indexedNames("x", 3)).isSameAs(x3);

        // one number tensor is read in place, and requests with the same tensor share their names list
        var again = ServingMonitor.fromTensors(List.of(new OipTensor("x", "FP32", new long[] {1, 3}, new float[3])), null, false);
        assertThat(again.width()).isEqualTo(3);
        assertThat(again.features()).extracting(FeatureBatch.Feature::name).containsExactly("x_0", "x_1", "x_2");
        var twoTensors = ServingMonitor.fromTensors(List.of(x, new OipTensor("w", "FP64", new long[] {2}, new double[] {7, 8})),
                null, false);
        assertThat(twoTensors.features()).extracting(FeatureBatch.Feature::name).containsExactly("x_0", "x_1", "x_2", "w");
        assertThat(twoTensors.features().get(3).numbers()).containsExactly(7, 8);

        // a model taking a table as one matrix: its signature's column names, one list for every request
        var signature = new Signature(List.of(new Spec.Column("age", ColumnType.DOUBLE, true),
                new Spec.Column("income", ColumnType.DOUBLE, true), new Spec.Column("score", ColumnType.DOUBLE, true)),
                List.of());
        var columns = ServingMonitor.matrixColumns(signature);
        assertThat(columns).containsExactly("age", "income", "score");
        var first = ServingMonitor.fromTensors(List.of(x), columns, false);
        assertThat(first.features()).extracting(FeatureBatch.Feature::name).containsExactly("age", "income", "score");
        assertThat(first.features().get(2).numbers()).containsExactly(3, 6);
        assertThat(ServingMonitor.matrixColumns(signature)).isSameAs(columns);

        var named = ServingMonitor.fromTensors(List.of(x), List.of("age", "income", "score"), false);
        assertThat(named.features()).extracting(FeatureBatch.Feature::name).containsExactly("age", "income", "score");
        assertThat(named.features().get(2).numbers()).containsExactly(3, 6);
    }

    @Test
    void wideOrMisalignedTensorsAreNotProfiledAndIntegerOutputsAreLabels() {
        var image = new OipTensor("image", "FP32", new long[] {1, 1_000}, new float[1_000]);
        var scalar = new OipTensor("bias", "FP64", new long[] {2}, new double[] {0.5, 1.5});
        assertThat(ServingMonitor.fromTensors(List.of(image), null, false).features()).isEmpty();
        var misaligned = ServingMonitor.fromTensors(List.of(scalar, image), null, false);
        assertThat(misaligned.features()).extracting(FeatureBatch.Feature::name).containsExactly("bias");
        // a rank-0 scalar listed first (a request-wide parameter) sets no row count: the rows are the matrix's
        var temperature = new OipTensor("temperature", "FP32", new long[] {}, new float[] {0.7f});
        var x = new OipTensor("x", "FP32", new long[] {3, 2}, new float[] {1, 2, 3, 4, 5, 6});
        var withParameter = ServingMonitor.fromTensors(List.of(temperature, x), null, false);
        assertThat(withParameter.rows()).isEqualTo(3);
        assertThat(withParameter.features()).extracting(FeatureBatch.Feature::name).containsExactly("x_0", "x_1");
        var onlyScalars = ServingMonitor.fromTensors(List.of(temperature), null, false);
        assertThat(onlyScalars.rows()).isEqualTo(1);
        assertThat(onlyScalars.features()).extracting(FeatureBatch.Feature::name).containsExactly("temperature");

        var label = new OipTensor("label", "INT64", new long[] {3}, new long[] {0, 1, 1});
        var outputs = ServingMonitor.fromTensors(List.of(label), null, true);
        assertThat(outputs.features().getFirst().numeric()).isFalse();
        assertThat(outputs.features().getFirst().strings()).containsExactly("0", "1", "1");
    }

    @Test
    void waitingStringsWeighByTheirLength() {
        var text = new OipTensor("text", "BYTES", new long[] {2}, new String[] {"a".repeat(3_000), null});
        var x = new OipTensor("x", "FP32", new long[] {2, 3}, new float[6]);
        var label = new OipTensor("label", "BYTES", new long[] {2}, new String[] {"yes", "no"});
        var payload = new ServingMonitor.Captured(null, List.of(text, x), null, 0, List.of(label));
        assertThat(payload.values()).isEqualTo(2 + 375 + 6 + 2); // 3 000 characters weigh 375 more
        var table = new ServingMonitor.Captured(null, List.of(), java.util.Map.of("city", new String[] {"Oslo".repeat(4)},
                "age", new double[] {40}), 1, List.of());
        assertThat(table.values()).isEqualTo(1 + 2 + 1);
    }

    @Test
    void int64ClassIdsAreLabelsExactlyAsSent() {
        var ids = new OipTensor("label", "INT64", new long[] {2}, new long[] {9_007_199_254_740_993L, 3});
        var batch = ServingMonitor.fromTensors(List.of(ids), null, true);
        assertThat(batch.features().getFirst().strings()).containsExactly("9007199254740993", "3");
    }
}
