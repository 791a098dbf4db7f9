package org.irisseg.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.Random;

import org.irisseg.support.IrisIntegrationTest;
import org.irisseg.support.Multipart;
import org.irisseg.support.NiftiBytes;
import org.irisseg.support.ProblemAssertions;
import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

/**
 * Every class of broken or hostile NIfTI file, uploaded over HTTP as a query, a reference or a mask,
 * comes back as its own problem type; none needs the model.
 */
class HostileFilesTest extends IrisIntegrationTest {

    private HttpResponse<byte[]> asReference(byte[] image, byte[] mask) {
        return client().post("/api/v1/tasks", Multipart.form().field("name", "hostile")
                .file("references", "image.nii.gz", image).file("masks", "mask.nii.gz", mask), null);
    }

    private static byte[] validImage() {
        return NiftiBytes.volume(8, 8, 8).blob().niiGz();
    }

    private static byte[] validMask() {
        return NiftiBytes.volume(8, 8, 8).twoLabelBall(2).niiGz();
    }

    @Test
    void randomBytesAndEmptyFilesAreNotNifti() {
        byte[] random = new byte[4096];
        new Random(7).nextBytes(random);
        ProblemAssertions.assertProblem(asReference(random, validMask()), 415, "not-nifti");
        ProblemAssertions.assertProblem(asReference(validImage(), new byte[0]), 415, "not-nifti");
        byte[] analyze = NiftiBytes.volume(4, 4, 4).nii();
        analyze[344] = 'x';
        ProblemAssertions.assertProblem(asReference(analyze, validMask()), 415, "not-nifti");
    }

    @Test
    void truncatedFilesAreCorrupt() {
        byte[] gz = validImage();
        ProblemAssertions.assertProblem(asReference(Arrays.copyOf(gz, gz.length / 2), validMask()), 400,
                "corrupt-nifti");
        byte[] nii = NiftiBytes.volume(8, 8, 8).blob().nii();
        ProblemAssertions.assertProblem(asReference(Arrays.copyOf(nii, nii.length - 100), validMask()), 400,
                "corrupt-nifti");
    }

    @Test
    void complexVoxelsAreAnUnsupportedDatatype() {
        byte[] complex = NiftiBytes.volume(4, 4, 4).datatype(NiftiBytes.COMPLEX64).nii();
        ProblemAssertions.assertProblem(asReference(complex, validMask()), 415, "unsupported-datatype");
    }

    @Test
    void aHeaderDeclaringMoreVoxelsThanTheLimitIsTooLargeWithoutReadingThem() {
        byte[] huge = NiftiBytes.volume(2, 2, 2).declaredDims(2048, 2048, 2048).nii();
        ProblemAssertions.assertProblem(asReference(huge, validMask()), 413, "too-large");
    }

    @Test
    void anUploadOverTheMultipartLimitIsTooLarge() {
        byte[] big = new byte[(int) MAX_UPLOAD_BYTES + 1024];
        ProblemAssertions.assertProblem(asReference(big, validMask()), 413, "too-large");
    }

    @Test
    void impossibleGeometryIsInvalidGeometry() {
        byte[] zeroDim = NiftiBytes.volume(4, 4, 4).declaredDims(4, 0, 4).nii();
        ProblemAssertions.assertProblem(asReference(zeroDim, validMask()), 400, "invalid-geometry");
        byte[] singular = NiftiBytes.volume(4, 4, 4).blob()
                .sform(new double[] {1, 0, 0, 0}, new double[] {1, 0, 0, 0}, new double[] {0, 0, 1, 0}).nii();
        ProblemAssertions.assertProblem(asReference(singular, validMask()), 400, "invalid-geometry");
    }

    @Test
    void nanImagesAndNegativeOrFractionalLabelsAreInvalidValues() {
        float[] withNan = new float[8 * 8 * 8];
        withNan[17] = Float.NaN;
        ProblemAssertions.assertProblem(asReference(NiftiBytes.volume(8, 8, 8).values(withNan).nii(), validMask()),
                400, "invalid-values");
        float[] negative = new float[8 * 8 * 8];
        negative[3] = -1;
        ProblemAssertions.assertProblem(asReference(validImage(), NiftiBytes.volume(8, 8, 8).values(negative).nii()),
                400, "invalid-values");
        float[] fractional = new float[8 * 8 * 8];
        fractional[3] = 1.5f;
        ProblemAssertions.assertProblem(asReference(validImage(), NiftiBytes.volume(8, 8, 8).values(fractional).nii()),
                400, "invalid-values");
    }

    @Test
    void theDetailNamesTheOffendingPartWithoutQuotingIt() {
        byte[] random = new byte[512];
        new Random(11).nextBytes(random);
        JsonNode problem = ProblemAssertions.assertProblem(asReference(validImage(), random), 415, "not-nifti");
        assertEquals(true, problem.path("detail").asString().startsWith("Reference 1 mask: "),
                problem.path("detail").asString());
    }

    @Test
    void hostileQueriesAreRefusedWithTheSameTypes() throws Exception {
        assumeModelReady();
        String task = client().registerTask(Multipart.form().field("name", "ball")
                .file("references", "image.nii.gz", validImage()).file("masks", "mask.nii.gz", validMask()));
        HttpResponse<byte[]> notNifti = client().post("/api/v1/segmentations",
                Multipart.form().file("image", "q.nii", new byte[] {1, 2, 3}).field("taskId", task), null);
        ProblemAssertions.assertProblem(notNifti, 415, "not-nifti");
        float[] withInf = new float[8 * 8 * 8];
        withInf[5] = Float.POSITIVE_INFINITY;
        HttpResponse<byte[]> infinite = client().post("/api/v1/segmentations", Multipart.form()
                .file("image", "q.nii", NiftiBytes.volume(8, 8, 8).values(withInf).nii()).field("taskId", task), null);
        ProblemAssertions.assertProblem(infinite, 400, "invalid-values");
        assertEquals(200, client().post("/api/v1/segmentations", Multipart.form()
                .file("image", "q.nii.gz", validImage()).field("taskId", task), null).statusCode());
    }
}
