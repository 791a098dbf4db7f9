/**
 * NIfTI-1/NIfTI-2 reading and writing for the service: {@link org.irisseg.nifti.NiftiReader} (with
 * refusal of hostile or broken files), {@link org.irisseg.nifti.Reorientation} to and from canonical
 * RAS+ voxel order as nibabel's {@code as_closest_canonical}, and {@link org.irisseg.nifti.NiftiWriter}
 * for label maps in the query's own geometry.
 */
package org.irisseg.nifti;
