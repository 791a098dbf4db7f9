package org.irisseg.volume;

import org.irisseg.nifti.NiftiHeader;

/** Physical volume of one voxel, from the voxel-to-world affine and the header's spatial unit. */
public final class VoxelSize {

    private VoxelSize() {
    }

    /** Millilitres per voxel: |det(affine[0:3, 0:3])| in the header's unit (mm when unset), over 1000. */
    public static double millilitres(NiftiHeader header) {
        double[][] a = header.affine();
        double det = a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1])
                - a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0])
                + a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0]);
        double cubicMillimetres = Math.abs(det) * Math.pow(millimetresPerUnit(header.xyztUnits()), 3);
        return cubicMillimetres / 1000.0;
    }

    /** NIfTI xyzt_units spatial code: 1 metre, 2 mm, 3 micron, 0 unknown (taken as mm). */
    static double millimetresPerUnit(int xyztUnits) {
        return switch (xyztUnits & 0x07) {
            case 1 -> 1000.0;
            case 3 -> 0.001;
            default -> 1.0;
        };
    }
}
