package org.irisseg.segmentation;

import java.util.ArrayList;
import java.util.List;

import org.irisseg.config.IrisProperties;

/**
 * Reasons to doubt one class of an answer. Thresholds: {@link IrisProperties.Quality}, the one place
 * they are set.
 */
public enum QualityFlag {
    /** Nothing was found. */
    EMPTY,
    /** The predicted volume lies outside the range of the task's reference volumes, widened by the tolerance. */
    VOLUME_OUTSIDE_REFERENCE_RANGE,
    /** The mean probability inside the predicted region is low. */
    LOW_CONFIDENCE,
    /** The predicted object's embedding resembles no reference embedding of its class. */
    LOW_REFERENCE_SIMILARITY,
    /** The ensemble members, decoded one by one, disagree with the answer. */
    MEMBERS_DISAGREE;

    /** The flags one class's metrics raise under these thresholds; an empty class raises EMPTY alone. */
    public static List<QualityFlag> of(ClassQuality q, IrisProperties.Quality t) {
        List<QualityFlag> flags = new ArrayList<>();
        if (q.voxels() == 0) {
            flags.add(EMPTY);
            return flags;
        }
        if (q.referenceVolumeMinMl() != null && (q.volumeMl() < q.referenceVolumeMinMl() * (1 - t.volumeTolerance())
                || q.volumeMl() > q.referenceVolumeMaxMl() * (1 + t.volumeTolerance()))) {
            flags.add(VOLUME_OUTSIDE_REFERENCE_RANGE);
        }
        if (q.meanProbability() != null && q.meanProbability() < t.minMeanProbability()) {
            flags.add(LOW_CONFIDENCE);
        }
        if (q.referenceSimilarity() != null && q.referenceSimilarity() < t.minReferenceSimilarity()) {
            flags.add(LOW_REFERENCE_SIMILARITY);
        }
        if (q.memberAgreement() != null && q.memberAgreement() < t.minMemberAgreement()) {
            flags.add(MEMBERS_DISAGREE);
        }
        return flags;
    }
}
