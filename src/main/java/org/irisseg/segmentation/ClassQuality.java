package org.irisseg.segmentation;

import java.util.List;

import org.irisseg.config.IrisProperties;

/**
 * How far one class of an answer can be trusted: its metrics, null where they do not apply, and the flags
 * they raise ({@link QualityFlag#of}).
 *
 * @param voxels               voxels carrying the class in the answer
 * @param volumeMl             their volume
 * @param referenceVolumeMinMl smallest volume of the class among the task's references (null: not recorded)
 * @param referenceVolumeMaxMl largest such volume
 * @param meanProbability      mean probability inside the predicted region (null when empty)
 * @param referenceSimilarity  cosine similarity of the predicted object's embedding to the closest reference
 *                             embedding of the class (null when empty)
 * @param memberAgreement      mean Dice of each ensemble member's mask with the answer (null with one member)
 * @param members              ensemble members compared (1: none)
 * @param flags                the reasons to doubt the class, empty when there are none
 */
public record ClassQuality(
        long voxels,
        double volumeMl,
        Double referenceVolumeMinMl,
        Double referenceVolumeMaxMl,
        Double meanProbability,
        Double referenceSimilarity,
        Double memberAgreement,
        int members,
        List<QualityFlag> flags) {

    public ClassQuality {
        flags = List.copyOf(flags);
    }

    /** These metrics with the flags they raise. */
    ClassQuality flagged(IrisProperties.Quality thresholds) {
        return new ClassQuality(voxels, volumeMl, referenceVolumeMinMl, referenceVolumeMaxMl, meanProbability,
                referenceSimilarity, memberAgreement, members, QualityFlag.of(this, thresholds));
    }
}
