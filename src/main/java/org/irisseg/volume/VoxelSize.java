package org.irisseg.volume;

import org.irisseg.nifti.NiftiHeader;

/** Physical volume of one voxel, from the voxel-to-world affine and the header's spatial unit. */
public final class VoxelSize {

    private VoxelSize() {
    }

    /** Millilitres per voxel: |det(affine[0:3, 0:3])| in the header's unit (mm when unset), over 1000. */
    public static double millilitres(NiftiHeader header) {
        double cubicMillimetres = header.voxelVolume() * Math.pow(millimetresPerUnit(header.xyztUnits()), 3);
        return cubicMillimetres / 1000.0;
    }

    /**
     * Voxel size along the canonical axes, mm: the lengths of the canonical affine's columns, in the
     * header's spatial unit converted to mm (mm when unset).
     */
    public static double[] spacingMm(OrientedVolume volume) {
        double[][] affine = volume.canonical().affine();
        double unit = millimetresPerUnit(volume.image().header().xyztUnits());
        double[] out = new double[3];
        for (int j = 0; j < 3; j++) {
            out[j] = unit * Math.sqrt(affine[0][j] * affine[0][j] + affine[1][j] * affine[1][j]
                    + affine[2][j] * affine[2][j]);
        }
        return out;
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
