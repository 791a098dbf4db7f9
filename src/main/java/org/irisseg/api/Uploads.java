package org.irisseg.api;

import java.io.IOException;
import java.io.OutputStream;
import java.security.DigestInputStream;
import java.util.ArrayList;
import java.util.List;

import org.irisseg.audit.AuditFacts;
import org.irisseg.error.IrisException;
import org.irisseg.error.ProblemType;
import org.irisseg.task.ReferenceUpload;
import org.irisseg.util.Sha256;
import org.irisseg.volume.VolumeUpload;
import org.springframework.web.multipart.MultipartFile;

/** Turns multipart parts into uploads the services read (the container spools them to temporary files). */
final class Uploads {

    private Uploads() {
    }

    /**
     * The part as an upload, hashed once from the container's spooled copy: its SHA-256 goes to the audit
     * line and travels with the upload (a reference's kept files are named by it). A part that cannot be
     * read here is left unhashed: the service reads it next and answers for it.
     */
    static VolumeUpload of(MultipartFile file) {
        String sha256 = null;
        try (DigestInputStream in = new DigestInputStream(file.getInputStream(), Sha256.newDigest())) {
            long bytes = in.transferTo(OutputStream.nullOutputStream());
            sha256 = Sha256.hex(in.getMessageDigest());
            AuditFacts.upload(file.getName(), sha256, bytes);
        } catch (IOException e) {
            // unreadable: reading it for the service gives the client its answer
        }
        return new VolumeUpload(file.getOriginalFilename(), file::getInputStream, sha256);
    }

    /** Pairs {@code references[i]} with {@code masks[i]}. */
    static List<ReferenceUpload> pairs(List<MultipartFile> references, List<MultipartFile> masks) {
        List<MultipartFile> refs = references == null ? List.of() : references;
        List<MultipartFile> msks = masks == null ? List.of() : masks;
        if (refs.isEmpty()) {
            throw new IrisException(ProblemType.INVALID_PARAMETER, "At least one 'references' file is required");
        }
        if (refs.size() != msks.size()) {
            throw new IrisException(ProblemType.INVALID_PARAMETER, refs.size() + " 'references' but " + msks.size()
                    + " 'masks': send one mask per reference image, in the same order");
        }
        List<ReferenceUpload> pairs = new ArrayList<>();
        for (int i = 0; i < refs.size(); i++) {
            pairs.add(new ReferenceUpload(of(refs.get(i)), of(msks.get(i))));
        }
        return pairs;
    }
}
