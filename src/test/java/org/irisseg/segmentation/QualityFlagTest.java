package org.irisseg.segmentation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.irisseg.config.IrisProperties;
import org.junit.jupiter.api.Test;

/** The quality flags that per-class metrics raise under the configured thresholds. */
class QualityFlagTest {

    private static final IrisProperties.Quality THRESHOLDS = new IrisProperties.Quality(0.5, 0.75, 0.5, 0.6, 5);

    private static List<QualityFlag> flags(long voxels, double volumeMl, Double meanP, Double similarity,
            Double agreement) {
        return QualityFlag.of(new ClassQuality(voxels, volumeMl, 2.0, 4.0, meanP, similarity, agreement, 3, List.of()),
                THRESHOLDS);
    }

    @Test
    void anAnswerWithinEveryThresholdRaisesNoFlag() {
        assertEquals(List.of(), flags(3000, 3.0, 0.9, 0.8, 0.9));
    }

    @Test
    void anEmptyClassRaisesEmptyAlone() {
        assertEquals(List.of(QualityFlag.EMPTY), flags(0, 0.0, null, null, 0.1));
    }

    @Test
    void theVolumeRangeIsTheReferencesWidenedByTheTolerance() {
        assertEquals(List.of(), flags(1000, 1.0, 0.9, 0.8, 0.9));
        assertEquals(List.of(), flags(6000, 6.0, 0.9, 0.8, 0.9));
        assertEquals(List.of(QualityFlag.VOLUME_OUTSIDE_REFERENCE_RANGE), flags(999, 0.999, 0.9, 0.8, 0.9));
        assertEquals(List.of(QualityFlag.VOLUME_OUTSIDE_REFERENCE_RANGE), flags(6001, 6.001, 0.9, 0.8, 0.9));
    }

    @Test
    void eachMetricBelowItsThresholdRaisesItsFlagInOrder() {
        assertEquals(List.of(QualityFlag.LOW_CONFIDENCE, QualityFlag.LOW_REFERENCE_SIMILARITY,
                QualityFlag.MEMBERS_DISAGREE), flags(3000, 3.0, 0.7, 0.4, 0.5));
    }

    @Test
    void metricsThatDoNotApplyRaiseNothing() {
        assertEquals(List.of(), QualityFlag.of(new ClassQuality(3000, 3.0, null, null, 0.9, 0.8, null, 1, List.of()),
                THRESHOLDS));
    }
}
