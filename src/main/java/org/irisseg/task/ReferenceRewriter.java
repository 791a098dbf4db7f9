package org.irisseg.task;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;

import org.irisseg.nifti.NiftiException;
import org.irisseg.nifti.NiftiImage;
import org.irisseg.nifti.NiftiLimits;
import org.irisseg.nifti.NiftiReader;
import org.irisseg.nifti.NiftiWriter;

/**
 * Writes reference volumes as they are kept: re-written from the decoded voxels with nothing but geometry
 * and voxels ({@link NiftiWriter#writeVolume}), never the upload's bytes, so no header text field, extension
 * or file name of the upload reaches the store. Reading a kept file back gives the very voxels the model saw.
 */
public final class ReferenceRewriter {

    private final NiftiReader reader;
    private final NiftiWriter writer = new NiftiWriter();

    public ReferenceRewriter(NiftiLimits limits) {
        this.reader = new NiftiReader(limits);
    }

    /** Writes a decoded volume as a kept file ({@code .nii.gz}); the stream is not closed. */
    void write(NiftiImage decoded, OutputStream out) {
        writer.writeVolume(out, decoded);
    }

    /**
     * Decodes a file kept as it was uploaded (by an earlier version) and re-writes it.
     *
     * @throws NiftiException when it cannot be decoded with this reader's limits
     */
    byte[] rewrite(InputStream upload) {
        NiftiImage decoded = reader.readImage(upload);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writer.writeVolume(out, decoded);
        return out.toByteArray();
    }
}
