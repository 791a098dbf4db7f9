package org.irisseg.volume;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.function.Function;

import org.irisseg.config.IrisProperties;
import org.irisseg.error.IrisException;
import org.irisseg.error.Messages;
import org.irisseg.error.ProblemType;
import org.irisseg.nifti.LabelScan;
import org.irisseg.nifti.NiftiException;
import org.irisseg.nifti.NiftiHeader;
import org.irisseg.nifti.NiftiImage;
import org.irisseg.nifti.NiftiLimits;
import org.irisseg.nifti.NiftiReader;
import org.irisseg.nifti.Reorientation;
import org.springframework.stereotype.Component;

/**
 * Reads uploaded NIfTI images and label maps with the configured limits and brings them to canonical
 * RAS+ order. Every NIfTI fault becomes an {@link IrisException} whose type names the cause and whose
 * detail names the offending part (e.g. "reference 2 mask").
 *
 * <p>Admission comes before work: {@link #readHeader} and {@link #scanLabels} cost no more than a chunk
 * of memory whatever the volume's size, so callers check sizes, grids and classes, and reserve memory,
 * before {@link #readImage} or {@link #readLabelMapOnGrid} decode a volume.
 */
@Component
public class VolumeReader {

    /** Fewest voxels along each axis of a volume the 3D model segments or learns from. */
    public static final int MIN_EXTENT = 4;

    private final NiftiReader reader;

    public VolumeReader(IrisProperties properties) {
        this.reader = new NiftiReader(new NiftiLimits(properties.nifti().maxVoxels(),
                properties.nifti().maxDecompressedBytes()));
    }

    /** The header of a volume, checked against the limits; no voxel is decoded. */
    public NiftiHeader readHeader(VolumeUpload upload, String role) {
        return read(upload, role, reader::readHeader);
    }

    /**
     * Checks that the 3D model can segment (or learn from) a volume of this grid.
     *
     * @throws IrisException {@link ProblemType#VOLUME_TOO_SMALL} with fewer than {@value #MIN_EXTENT} voxels
     *                       along an axis (a 2D image, a few slices)
     */
    public static void requireSegmentable(NiftiHeader header, String role) {
        int[] d = header.spatialDims();
        if (d[0] < MIN_EXTENT || d[1] < MIN_EXTENT || d[2] < MIN_EXTENT) {
            throw new IrisException(ProblemType.VOLUME_TOO_SMALL, Messages.capitalised(role) + " is " + d[0] + "x"
                    + d[1] + "x" + d[2] + " voxels; the 3D model needs at least " + MIN_EXTENT + " voxels along each"
                    + " of the three axes, so a 2D image or a volume of fewer than " + MIN_EXTENT + " slices cannot be"
                    + " segmented");
        }
    }

    /** The distinct non-zero labels of a label map, every voxel checked, without holding its voxels. */
    public LabelScan scanLabels(VolumeUpload upload, String role) {
        return read(upload, role, reader::scanLabelMap);
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
        return read(upload, role, labelMap ? reader::readLabelMap : reader::readImage);
    }

    private static <T> T read(VolumeUpload upload, String role, Function<InputStream, T> what) {
        try (InputStream in = upload.open()) {
            return what.apply(in);
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
