package org.irisseg.nifti;

import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The header fields of a NIfTI-1 or NIfTI-2 file that the service reads and writes back: sizes,
 * datatype, scaling and the full geometry (pixdim, qform and sform with their codes, units).
 * Immutable; NIfTI-1 float fields are held as the doubles they widen to exactly.
 *
 * <p>Geometry follows the NIfTI rules: the sform when {@code sform_code > 0}, else the qform
 * (quaternion) when {@code qform_code > 0}, else scaling by pixdim (see {@link #affine()}).
 */
public final class NiftiHeader {

    private final int version;
    private final ByteOrder byteOrder;
    private final long[] dim;
    private final double[] pixdim;
    private final NiftiDatatype datatype;
    private final long voxOffset;
    private final double sclSlope;
    private final double sclInter;
    private final int qformCode;
    private final double quaternB;
    private final double quaternC;
    private final double quaternD;
    private final double qoffsetX;
    private final double qoffsetY;
    private final double qoffsetZ;
    private final int sformCode;
    private final double[] srowX;
    private final double[] srowY;
    private final double[] srowZ;
    private final int xyztUnits;
    private final int intentCode;

    private NiftiHeader(Builder b) {
        if (b.version != 1 && b.version != 2) {
            throw new IllegalArgumentException("version must be 1 or 2, got " + b.version);
        }
        this.version = b.version;
        this.byteOrder = b.byteOrder;
        this.dim = b.dim.clone();
        this.pixdim = b.pixdim.clone();
        this.datatype = b.datatype;
        this.voxOffset = b.voxOffset;
        this.sclSlope = b.sclSlope;
        this.sclInter = b.sclInter;
        this.qformCode = b.qformCode;
        this.quaternB = b.quaternB;
        this.quaternC = b.quaternC;
        this.quaternD = b.quaternD;
        this.qoffsetX = b.qoffsetX;
        this.qoffsetY = b.qoffsetY;
        this.qoffsetZ = b.qoffsetZ;
        this.sformCode = b.sformCode;
        this.srowX = b.srowX.clone();
        this.srowY = b.srowY.clone();
        this.srowZ = b.srowZ.clone();
        this.xyztUnits = b.xyztUnits;
        this.intentCode = b.intentCode;
    }

    /** 1 for NIfTI-1 (348-byte header), 2 for NIfTI-2 (540-byte header). */
    public int version() {
        return version;
    }

    public ByteOrder byteOrder() {
        return byteOrder;
    }

    /** The 8 {@code dim} values: dim[0] = number of dimensions, dim[1..7] = sizes. */
    public long[] dim() {
        return dim.clone();
    }

    /** The 8 {@code pixdim} values: pixdim[0] = qfac, pixdim[1..3] = voxel spacing. */
    public double[] pixdim() {
        return pixdim.clone();
    }

    public NiftiDatatype datatype() {
        return datatype;
    }

    /** Byte offset of the voxel data in the (uncompressed) file. */
    public long voxOffset() {
        return voxOffset;
    }

    /** {@code scl_slope} as stored (0 or non-finite means "no scaling"). */
    public double sclSlope() {
        return sclSlope;
    }

    public double sclInter() {
        return sclInter;
    }

    public int qformCode() {
        return qformCode;
    }

    public double quaternB() {
        return quaternB;
    }

    public double quaternC() {
        return quaternC;
    }

    public double quaternD() {
        return quaternD;
    }

    public double qoffsetX() {
        return qoffsetX;
    }

    public double qoffsetY() {
        return qoffsetY;
    }

    public double qoffsetZ() {
        return qoffsetZ;
    }

    public int sformCode() {
        return sformCode;
    }

    /** First row of the sform, 4 values. */
    public double[] srowX() {
        return srowX.clone();
    }

    public double[] srowY() {
        return srowY.clone();
    }

    public double[] srowZ() {
        return srowZ.clone();
    }

    public int xyztUnits() {
        return xyztUnits;
    }

    public int intentCode() {
        return intentCode;
    }

    /** [X, Y, Z]: dim[1..3], with 1 for axes beyond dim[0]. */
    public int[] spatialDims() {
        int[] s = new int[3];
        for (int i = 0; i < 3; i++) {
            s[i] = i + 1 <= dim[0] ? Math.toIntExact(dim[i + 1]) : 1;
        }
        return s;
    }

    /** Number of voxels of the 3D volume (X * Y * Z). */
    public long voxelCount() {
        int[] s = spatialDims();
        return (long) s[0] * s[1] * s[2];
    }

    /** Effective scaling: {@code [slope, inter]}, {@code [1, 0]} when scl_slope is 0 or not finite. */
    double[] effectiveScaling() {
        if (sclSlope == 0 || !Double.isFinite(sclSlope)) {
            return new double[] {1, 0};
        }
        return new double[] {sclSlope, sclInter};
    }

    /**
     * The 4x4 voxel-to-world affine (row-major, world in mm, RAS+ by the NIfTI convention): sform when
     * sform_code &gt; 0, else qform when qform_code &gt; 0, else diag(pixdim[1..3]) with origin 0 (NIfTI
     * method 1; nibabel instead falls back to a centred, x-flipped Analyze affine there). Spacings are
     * taken as nibabel fixes them on load: absolute values, 0 read as 1; qfac is -1 only when pixdim[0] is -1.
     *
     * @throws NiftiException {@code INVALID_GEOMETRY} when that affine is singular or not finite
     */
    public double[][] affine() {
        return NiftiAffines.fromHeader(this);
    }

    /** Volume of one voxel in the header's spatial unit cubed: |det| of the affine's 3x3 block. */
    public double voxelVolume() {
        return Math.abs(NiftiAffines.det3(affine()));
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this header's values, to derive a modified copy. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.version = version;
        b.byteOrder = byteOrder;
        b.dim = dim.clone();
        b.pixdim = pixdim.clone();
        b.datatype = datatype;
        b.voxOffset = voxOffset;
        b.sclSlope = sclSlope;
        b.sclInter = sclInter;
        b.qformCode = qformCode;
        b.quaternB = quaternB;
        b.quaternC = quaternC;
        b.quaternD = quaternD;
        b.qoffsetX = qoffsetX;
        b.qoffsetY = qoffsetY;
        b.qoffsetZ = qoffsetZ;
        b.sformCode = sformCode;
        b.srowX = srowX.clone();
        b.srowY = srowY.clone();
        b.srowZ = srowZ.clone();
        b.xyztUnits = xyztUnits;
        b.intentCode = intentCode;
        return b;
    }

    @Override
    public String toString() {
        return "NiftiHeader{v" + version + ", " + byteOrder + ", dim=" + Arrays.toString(dim) + ", " + datatype
                + ", pixdim=" + Arrays.toString(pixdim) + ", qform_code=" + qformCode + ", sform_code=" + sformCode + "}";
    }

    /** Mutable builder; defaults describe a 1x1x1 uint8 NIfTI-1 volume with identity pixdim geometry. */
    public static final class Builder {
        private int version = 1;
        private ByteOrder byteOrder = ByteOrder.LITTLE_ENDIAN;
        private long[] dim = {3, 1, 1, 1, 1, 1, 1, 1};
        private double[] pixdim = {1, 1, 1, 1, 1, 1, 1, 1};
        private NiftiDatatype datatype = NiftiDatatype.UINT8;
        private long voxOffset = 352;
        private double sclSlope = 1;
        private double sclInter = 0;
        private int qformCode;
        private double quaternB;
        private double quaternC;
        private double quaternD;
        private double qoffsetX;
        private double qoffsetY;
        private double qoffsetZ;
        private int sformCode;
        private double[] srowX = {1, 0, 0, 0};
        private double[] srowY = {0, 1, 0, 0};
        private double[] srowZ = {0, 0, 1, 0};
        private int xyztUnits;
        private int intentCode;

        private Builder() {
        }

        public Builder version(int v) {
            this.version = v;
            return this;
        }

        public Builder byteOrder(ByteOrder order) {
            this.byteOrder = order;
            return this;
        }

        /** All 8 dim values. */
        public Builder dim(long... values) {
            this.dim = copyOf(values, 8, "dim");
            return this;
        }

        /** Convenience: a 3D volume of the given sizes. */
        public Builder spatialDims(int x, int y, int z) {
            this.dim = new long[] {3, x, y, z, 1, 1, 1, 1};
            return this;
        }

        /** All 8 pixdim values. */
        public Builder pixdim(double... values) {
            this.pixdim = copyOf(values, 8, "pixdim");
            return this;
        }

        public Builder datatype(NiftiDatatype t) {
            this.datatype = t;
            return this;
        }

        public Builder voxOffset(long offset) {
            this.voxOffset = offset;
            return this;
        }

        public Builder scaling(double slope, double inter) {
            this.sclSlope = slope;
            this.sclInter = inter;
            return this;
        }

        public Builder qform(int code, double b, double c, double d, double x, double y, double z) {
            this.qformCode = code;
            this.quaternB = b;
            this.quaternC = c;
            this.quaternD = d;
            this.qoffsetX = x;
            this.qoffsetY = y;
            this.qoffsetZ = z;
            return this;
        }

        /** The sform code and its three rows of 4 values. */
        public Builder sform(int code, double[] rowX, double[] rowY, double[] rowZ) {
            this.sformCode = code;
            this.srowX = copyOf(rowX, 4, "srow_x");
            this.srowY = copyOf(rowY, 4, "srow_y");
            this.srowZ = copyOf(rowZ, 4, "srow_z");
            return this;
        }

        public Builder xyztUnits(int units) {
            this.xyztUnits = units;
            return this;
        }

        public Builder intentCode(int code) {
            this.intentCode = code;
            return this;
        }

        public NiftiHeader build() {
            return new NiftiHeader(this);
        }

        private static long[] copyOf(long[] v, int n, String name) {
            if (v.length != n) {
                throw new IllegalArgumentException(name + " needs " + n + " values, got " + v.length);
            }
            return v.clone();
        }

        private static double[] copyOf(double[] v, int n, String name) {
            if (v.length != n) {
                throw new IllegalArgumentException(name + " needs " + n + " values, got " + v.length);
            }
            return v.clone();
        }
    }
}
