package org.irisseg.volume;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

import org.irisseg.config.IrisProperties;
import org.irisseg.error.IrisException;
import org.irisseg.error.Messages;
import org.irisseg.error.ProblemType;
import org.irisseg.nifti.NiftiException;
import org.irisseg.nifti.NiftiImage;
import org.irisseg.nifti.NiftiLimits;
import org.irisseg.nifti.NiftiReader;
import org.irisseg.nifti.Reorientation;
import org.springframework.stereotype.Component;

/**
 * Reads uploaded NIfTI images and label maps with the configured limits and brings them to canonical
 * RAS+ order. Every NIfTI fault becomes an {@link IrisException} whose type names the cause and whose
 * detail names the offending part (e.g. "reference 2 mask").
 */
@Component
public class VolumeReader {

    private final NiftiReader reader;

    public VolumeReader(IrisProperties properties) {
        this.reader = new NiftiReader(new NiftiLimits(properties.nifti().maxVoxels(),
                properties.nifti().maxDecompressedBytes()));
    }

    /** An intensity image; {@code role} names it in error messages. */
    public OrientedVolume readImage(VolumeUpload upload, String role) {
        NiftiImage image = read(upload, role, false);
        return orient(image, Reorientation.toClosestCanonical(image.affine(), image.dims()), role);
    }

    /**
     * A label map on the grid of {@code image}: canonicalised with the image's reorientation so voxels
     * line up exactly.
     *
     * @throws IrisException {@link ProblemType#GRID_MISMATCH} when the grids differ
     */
    public OrientedVolume readLabelMapOnGrid(VolumeUpload upload, String role, OrientedVolume image) {
        NiftiImage labels = read(upload, role, true);
        Grids.requireSameGrid(image.image(), labels, role);
        return orient(labels, image.reorientation(), role);
    }

    private NiftiImage read(VolumeUpload upload, String role, boolean labelMap) {
        try (InputStream in = upload.open()) {
            return labelMap ? reader.readLabelMap(in) : reader.readImage(in);
        } catch (NiftiException e) {
            throw NiftiProblems.of(e, role);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the spooled upload of the " + role, e);
        }
    }

    private static OrientedVolume orient(NiftiImage image, Reorientation reorientation, String role) {
        try {
            return new OrientedVolume(image, reorientation, reorientation.toCanonical(image));
        } catch (NiftiException e) {
            throw NiftiProblems.of(e, role);
        }
    }

    /** Maps NIfTI faults to problem types. */
    static final class NiftiProblems {
        private NiftiProblems() {
        }

        static IrisException of(NiftiException e, String role) {
            ProblemType type = switch (e.kind()) {
                case NOT_NIFTI -> ProblemType.NOT_NIFTI;
                case CORRUPT -> ProblemType.CORRUPT_NIFTI;
                case UNSUPPORTED_DATATYPE -> ProblemType.UNSUPPORTED_DATATYPE;
                case TOO_LARGE -> ProblemType.TOO_LARGE;
                case INVALID_GEOMETRY -> ProblemType.INVALID_GEOMETRY;
                case INVALID_VALUES -> ProblemType.INVALID_VALUES;
            };
            return new IrisException(type, Messages.capitalised(role) + ": " + e.getMessage());
        }
    }
}
