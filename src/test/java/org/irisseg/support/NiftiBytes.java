package org.irisseg.support;

import org.irisseg.nifti.NiftiFixtures;

/**
 * Small volumes for tests over HTTP, valid or broken (wrong datatype, impossible dims, NaN voxels, ...),
 * as NIfTI-1 files written by {@link NiftiFixtures}. Defaults: little endian, float32, 1 mm voxels,
 * identity sform (code 1), mm units.
 */
public final class NiftiBytes {

    public static final short UINT8 = NiftiFixtures.UINT8;
    public static final short FLOAT32 = NiftiFixtures.FLOAT32;
    public static final short COMPLEX64 = NiftiFixtures.COMPLEX64;

    /** A value per voxel, from its indices. */
    @FunctionalInterface
    private interface Voxels {
        float at(int i, int j, int k);
    }

    private final int[] size;
    private final long[] declared;
    private final NiftiFixtures.Spec spec = new NiftiFixtures.Spec();
    private float[] values;

    private NiftiBytes(int x, int y, int z) {
        this.size = new int[] {x, y, z};
        this.declared = new long[] {x, y, z};
        this.values = new float[x * y * z];
        spec.xyztUnits = 2;
    }

    public static NiftiBytes volume(int x, int y, int z) {
        return new NiftiBytes(x, y, z);
    }

    public NiftiBytes values(float[] v) {
        this.values = v.clone();
        return this;
    }

    public NiftiBytes datatype(short code) {
        spec.datatype = code;
        return this;
    }

    /** Overrides dim[1..3] in the header only (the data stays as it is). */
    public NiftiBytes declaredDims(long x, long y, long z) {
        declared[0] = x;
        declared[1] = y;
        declared[2] = z;
        return this;
    }

    /** The sform rows; pixdim follows the lengths of the columns. */
    public NiftiBytes sform(double[] x, double[] y, double[] z) {
        spec.srow = new double[][] {x.clone(), y.clone(), z.clone()};
        for (int c = 0; c < 3; c++) {
            spec.pixdim[c + 1] = Math.sqrt(x[c] * x[c] + y[c] * y[c] + z[c] * z[c]);
        }
        return this;
    }

    /** A smooth blob image: 0..100 with a bright centre. */
    public NiftiBytes blob() {
        return fill((i, j, k) -> (float) (100 * Math.exp(-distanceToCentre(i, j, k) / 30)));
    }

    /** Label 1 inside a ball of {@code radius} voxels around the centre, label 2 in the shell around it. */
    public NiftiBytes twoLabelBall(double radius) {
        return fill((i, j, k) -> {
            double d = Math.sqrt(distanceToCentre(i, j, k));
            return d < radius ? 1f : d < radius * 1.6 ? 2f : 0f;
        });
    }

    /** The uncompressed {@code .nii}. */
    public byte[] nii() {
        spec.dims(declared);
        double[] data = new double[values.length];
        for (int i = 0; i < data.length; i++) {
            data[i] = values[i];
        }
        return spec.values(data).bytes();
    }

    /** The gzip-compressed {@code .nii.gz}. */
    public byte[] niiGz() {
        return NiftiFixtures.gzip(nii());
    }

    private double distanceToCentre(int i, int j, int k) {
        return Math.pow(i - size[0] / 2.0, 2) + Math.pow(j - size[1] / 2.0, 2) + Math.pow(k - size[2] / 2.0, 2);
    }

    private NiftiBytes fill(Voxels voxels) {
        for (int k = 0; k < size[2]; k++) {
            for (int j = 0; j < size[1]; j++) {
                for (int i = 0; i < size[0]; i++) {
                    values[(k * size[1] + j) * size[0] + i] = voxels.at(i, j, k);
                }
            }
        }
        return this;
    }
}
