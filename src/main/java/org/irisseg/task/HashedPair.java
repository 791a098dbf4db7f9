package org.irisseg.task;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

import org.irisseg.util.Sha256;
import org.irisseg.volume.VolumeUpload;

/**
 * A reference pair with the SHA-256 of its two files, known before it is encoded (the keys of the kept
 * files, if the store keeps them).
 */
record HashedPair(ReferenceUpload pair, String imageSha256, String maskSha256) {

    /** Both files' digests: as computed on arrival, or hashed here where they were not. */
    static HashedPair of(ReferenceUpload pair) {
        return new HashedPair(pair, sha256(pair.image()), sha256(pair.mask()));
    }

    private static String sha256(VolumeUpload upload) {
        if (upload.sha256() != null) {
            return upload.sha256();
        }
        try (InputStream in = upload.open()) {
            return Sha256.of(in);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read an uploaded reference file", e);
        }
    }
}
