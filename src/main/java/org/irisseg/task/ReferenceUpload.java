package org.irisseg.task;

import org.irisseg.volume.VolumeUpload;

/** One uploaded reference pair: an image and its label map on the same voxel grid. */
public record ReferenceUpload(VolumeUpload image, VolumeUpload mask) {
}
