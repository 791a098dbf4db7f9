package org.irisseg.api;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.irisseg.error.IrisException;
import org.irisseg.error.ProblemType;
import org.irisseg.segmentation.SegmentationOutput;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;

/**
 * Which output a segmentation answers with. The {@code output} parameter decides when it is given (an
 * {@code Accept} header that admits none of its media type is refused, 406); without it the label map
 * is the answer unless the client's most preferred media types exclude it: then JSON statistics (or
 * another output whose media type they name). Types of equal quality carry no order (RFC 9110), so a
 * tie with the label map's type goes to the label map.
 */
final class OutputNegotiation {

    private OutputNegotiation() {
    }

    static SegmentationOutput choose(String output, String accept) {
        List<MediaType> accepted = accepted(accept);
        if (output != null && !output.isBlank()) {
            SegmentationOutput chosen = SegmentationOutput.parse(output);
            MediaType type = MediaType.parseMediaType(chosen.mediaType());
            if (!accepted.isEmpty() && accepted.stream().noneMatch(a -> a.includes(type))) {
                throw new IrisException(ProblemType.NOT_ACCEPTABLE, "'output=" + chosen.wire() + "' answers with "
                        + chosen.mediaType() + ", which the Accept header does not admit");
            }
            return chosen;
        }
        int i = 0;
        while (i < accepted.size()) {
            double q = accepted.get(i).getQualityValue();
            List<MediaType> group = new ArrayList<>();
            for (; i < accepted.size() && accepted.get(i).getQualityValue() == q; i++) {
                group.add(accepted.get(i));
            }
            for (SegmentationOutput candidate : SegmentationOutput.values()) {
                MediaType type = MediaType.parseMediaType(candidate.mediaType());
                if (group.stream().anyMatch(a -> a.includes(type))) {
                    return candidate;
                }
            }
        }
        return SegmentationOutput.LABEL_MAP;
    }

    /** The accepted media types, most preferred first (stable within a quality), q=0 left out. */
    private static List<MediaType> accepted(String accept) {
        if (accept == null || accept.isBlank()) {
            return List.of();
        }
        List<MediaType> types = new ArrayList<>();
        try {
            for (MediaType type : MediaType.parseMediaTypes(accept)) {
                if (type.getQualityValue() > 0) {
                    types.add(type);
                }
            }
        } catch (InvalidMediaTypeException e) {
            throw new IrisException(ProblemType.NOT_ACCEPTABLE, "The Accept header is not a list of media types");
        }
        types.sort(Comparator.comparingDouble(MediaType::getQualityValue).reversed());
        return types;
    }
}
