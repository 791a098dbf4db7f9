package org.irisseg.task;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.irisseg.config.IrisProperties;
import org.irisseg.nifti.NiftiImage;
import org.irisseg.spool.UploadSpool;
import org.springframework.stereotype.Component;

/**
 * Keeps the reference volumes of registrations (when {@code iris.store.keep-references}): each decoded
 * image and mask is re-written ({@link ReferenceRewriter}) to a private file of the upload spool, handed to
 * the store, which keeps it under its SHA-256, and the spooled file deleted. Without keeping, a reference
 * records its upload's SHA-256 and nothing is written.
 */
@Component
class KeptReferences {

    private final TaskStore store;
    private final UploadSpool spool;
    private final ReferenceRewriter rewriter;
    private final boolean keep;

    KeptReferences(TaskStore store, UploadSpool spool, ReferenceRewriter rewriter, IrisProperties properties) {
        this.store = store;
        this.spool = spool;
        this.rewriter = rewriter;
        this.keep = properties.store().keepReferences();
    }

    /** What a registration does with its decoded volumes. */
    ReferenceEncoder.VolumeKeeper keeper() {
        return keep ? (decoded, uploadSha256) -> keep(decoded) : (decoded, uploadSha256) -> uploadSha256;
    }

    private String keep(NiftiImage decoded) {
        try {
            Path file = spool.newFile("kept-", ".nii.gz");
            try {
                try (OutputStream out = Files.newOutputStream(file)) {
                    rewriter.write(decoded, out);
                }
                try (InputStream in = Files.newInputStream(file)) {
                    return store.putReferenceFile(in);
                }
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot keep a reference volume", e);
        }
    }
}
