package org.irisseg.nifti;

/**
 * The voxel-to-world affine of a header by the NIfTI rules, computed as nibabel does, and its checks.
 * All matrices are 4x4 row-major {@code double[4][4]}.
 */
final class NiftiAffines {

    /** nibabel's tolerance on 1 - (b^2 + c^2 + d^2) before a quaternion is declared invalid. */
    private static final double QUATERNION_THRESHOLD = 3 * Math.ulp(1.0f);

    private NiftiAffines() {
    }

    static double[][] fromHeader(NiftiHeader h) {
        double[][] a;
        String source;
        if (h.sformCode() > 0) {
            a = sform(h);
            source = "sform (srow_x/y/z)";
        } else if (h.qformCode() > 0) {
            a = qform(h);
            source = "qform (quatern_b/c/d, qoffset, pixdim)";
        } else {
            a = pixdimScaling(h);
            source = "pixdim (no sform or qform code set)";
        }
        requireUsable(a, source);
        return a;
    }

    private static double[][] sform(NiftiHeader h) {
        return new double[][] {h.srowX(), h.srowY(), h.srowZ(), {0, 0, 0, 1}};
    }

    /** Quaternion to rotation exactly as nibabel's {@code get_qform} (fillpositive + quat2mat). */
    private static double[][] qform(NiftiHeader h) {
        double b = h.quaternB();
        double c = h.quaternC();
        double d = h.quaternD();
        double w2 = 1.0 - (b * b + c * c + d * d);
        if (!(w2 >= -QUATERNION_THRESHOLD)) {
            throw new NiftiException(NiftiException.Kind.INVALID_GEOMETRY,
                    "the qform quaternion (quatern_b/c/d) is not a rotation: b^2 + c^2 + d^2 exceeds 1;"
                            + " fix the header's orientation or set an sform");
        }
        double a = w2 < 0 ? 0 : Math.sqrt(w2);
        double nq = a * a + b * b + c * c + d * d;
        double[][] r;
        if (nq < Math.ulp(1.0)) {
            r = new double[][] {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
        } else {
            double s = 2.0 / nq;
            double x = b * s;
            double y = c * s;
            double z = d * s;
            double wX = a * x;
            double wY = a * y;
            double wZ = a * z;
            double xX = b * x;
            double xY = b * y;
            double xZ = b * z;
            double yY = c * y;
            double yZ = c * z;
            double zZ = d * z;
            r = new double[][] {
                    {1.0 - (yY + zZ), xY - wZ, xZ + wY},
                    {xY + wZ, 1.0 - (xX + zZ), yZ - wX},
                    {xZ - wY, yZ + wX, 1.0 - (xX + yY)}};
        }
        double[] vox = spacing(h);
        double[] pixdim = h.pixdim();
        if (pixdim[0] == -1) {
            vox[2] = -vox[2];
        }
        double[] offset = {h.qoffsetX(), h.qoffsetY(), h.qoffsetZ()};
        double[][] m = new double[4][4];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                m[i][j] = r[i][j] * vox[j];
            }
            m[i][3] = offset[i];
        }
        m[3][3] = 1;
        return m;
    }

    private static double[][] pixdimScaling(NiftiHeader h) {
        double[] vox = spacing(h);
        return new double[][] {{vox[0], 0, 0, 0}, {0, vox[1], 0, 0}, {0, 0, vox[2], 0}, {0, 0, 0, 1}};
    }

    /** pixdim[1..3] as nibabel fixes them on load: absolute values, 0 replaced by 1. */
    private static double[] spacing(NiftiHeader h) {
        double[] pixdim = h.pixdim();
        double[] vox = new double[3];
        for (int i = 0; i < 3; i++) {
            double v = pixdim[i + 1];
            if (!Double.isFinite(v)) {
                throw new NiftiException(NiftiException.Kind.INVALID_GEOMETRY,
                        "pixdim[" + (i + 1) + "] (voxel spacing) is not a finite number; fix the header's voxel size");
            }
            vox[i] = v == 0 ? 1 : Math.abs(v);
        }
        return vox;
    }

    /** Rejects non-finite, non-affine or singular matrices. */
    static void requireUsable(double[][] a, String source) {
        for (double[] row : a) {
            for (double v : row) {
                if (!Double.isFinite(v)) {
                    throw new NiftiException(NiftiException.Kind.INVALID_GEOMETRY,
                            "the voxel-to-world affine from the " + source + " is not finite; fix the header's orientation");
                }
            }
        }
        double scale = 1;
        for (int j = 0; j < 3; j++) {
            scale *= Math.sqrt(a[0][j] * a[0][j] + a[1][j] * a[1][j] + a[2][j] * a[2][j]);
        }
        double det = det3(a);
        if (scale == 0 || !(Math.abs(det) > 1e-9 * scale)) {
            throw new NiftiException(NiftiException.Kind.INVALID_GEOMETRY,
                    "the voxel-to-world affine from the " + source + " is singular (its axes are degenerate);"
                            + " fix the header's orientation");
        }
    }

    /** Determinant of the upper-left 3x3 block. */
    static double det3(double[][] a) {
        return a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1])
                - a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0])
                + a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0]);
    }

    static double[][] multiply(double[][] p, double[][] q) {
        int n = p.length;
        int m = q[0].length;
        double[][] out = new double[n][m];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                double s = 0;
                for (int k = 0; k < q.length; k++) {
                    s += p[i][k] * q[k][j];
                }
                out[i][j] = s;
            }
        }
        return out;
    }

    static double[][] copy(double[][] a) {
        double[][] c = new double[a.length][];
        for (int i = 0; i < a.length; i++) {
            c[i] = a[i].clone();
        }
        return c;
    }
}
