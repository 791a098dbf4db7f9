package org.irisseg.api;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

import org.irisseg.model.Stage;
import org.irisseg.nifti.NiftiWriter;
import org.irisseg.segmentation.ClassVolume;
import org.irisseg.segmentation.SegmentationMode;
import org.irisseg.segmentation.SegmentationRequest;
import org.irisseg.segmentation.SegmentationResult;
import org.irisseg.segmentation.SegmentationService;
import org.irisseg.volume.VolumeUpload;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;

/** Segmentations: a query volume segmented with a registered task. */
@RestController
@RequestMapping("/api/v1/segmentations")
@Tag(name = "segmentations", description = "Segment NIfTI query volumes with a registered task")
public class SegmentationController {

    static final String VOLUMES_HEADER = "Iris-Volumes-mL";
    static final String TASK_HEADER = "Iris-Task-Id";
    static final String MODE_HEADER = "Iris-Mode";
    static final String MODEL_HEADER = "Iris-Model-Version";
    static final MediaType GZIP = MediaType.parseMediaType(ApiDocs.GZIP);

    private final SegmentationService segmentations;
    private final NiftiWriter writer = new NiftiWriter();

    public SegmentationController(SegmentationService segmentations) {
        this.segmentations = segmentations;
    }

    @Operation(summary = "Segment a volume",
            description = "Returns a NIfTI label map (.nii.gz) on the query's own voxel grid and header geometry,"
                    + " with the task's label values; overlaps go to the class of highest probability. Per-class"
                    + " volumes are in the Iris-Volumes-mL header and stage timings in Server-Timing. With"
                    + " Accept: application/json the same statistics come back as JSON, without the mask.")
    @ApiResponse(responseCode = "200", description = "Label map, or its statistics for Accept: application/json",
            headers = {
                    @Header(name = VOLUMES_HEADER, description = "label=millilitres, comma-separated",
                            schema = @Schema(type = "string", example = "1=1.234, 2=0.987")),
                    @Header(name = "Server-Timing", description = "queue, image-encoding, task-encoding, decoding"
                            + " and total durations in ms", schema = @Schema(type = "string")),
                    @Header(name = TASK_HEADER, schema = @Schema(type = "string")),
                    @Header(name = MODE_HEADER, schema = @Schema(type = "string")),
                    @Header(name = MODEL_HEADER, schema = @Schema(type = "string"))},
            content = {
                    @Content(mediaType = ApiDocs.GZIP, schema = @Schema(type = "string", format = "binary")),
                    @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                            schema = @Schema(implementation = SegmentationResponse.class))})
    @ProblemResponses(badRequest = "Corrupt file, volume too small for the 3D model, unknown class, bad mode or"
            + " parameter",
            value = {404, 409, 413, 415, 429, 503, 507})
    @PostMapping(consumes = MediaType.MULTIPART_FORM_DATA_VALUE,
            produces = {ApiDocs.GZIP, MediaType.APPLICATION_JSON_VALUE})
    public ResponseEntity<?> segment(
            @Parameter(description = "Query volume (NIfTI, .nii or .nii.gz)") @RequestPart("image") MultipartFile image,
            @Parameter(description = "Task id") @RequestPart("taskId") String taskId,
            @Parameter(description = "one-shot, ensemble or retrieval",
                    schema = @Schema(allowableValues = {"one-shot", "ensemble", "retrieval"}, defaultValue = "ensemble"))
            @RequestParam(value = "mode", defaultValue = "ensemble") String mode,
            @Parameter(description = "Retrieval top-k") @RequestParam(value = "k", defaultValue = "3") int k,
            @Parameter(description = "Probability threshold, in [0, 1)")
            @RequestParam(value = "threshold", defaultValue = "0.5") double threshold,
            @Parameter(description = "Comma-separated labels or names of the classes to segment (default all)")
            @RequestParam(value = "classes", required = false) String classes,
            @Parameter(description = "Reference used by one-shot (0-based)")
            @RequestParam(value = "referenceIndex", defaultValue = "0") int referenceIndex,
            @Parameter(hidden = true) @RequestHeader(value = HttpHeaders.ACCEPT, required = false) String accept) {
        SegmentationRequest request = new SegmentationRequest(taskId, SegmentationMode.parse(mode), k, threshold,
                classes == null ? List.of() : Arrays.asList(classes.split(",")), referenceIndex);
        VolumeUpload upload = Uploads.of(image);
        SegmentationResult result = segmentations.segment(upload, request);
        ResponseEntity.BodyBuilder response = ResponseEntity.ok()
                .header(TASK_HEADER, result.taskId())
                .header(MODE_HEADER, result.mode().wire())
                .header(MODEL_HEADER, result.modelVersion())
                .header(VOLUMES_HEADER, volumes(result.classes()))
                .header("Server-Timing", serverTiming(result));
        if (prefersJson(accept)) {
            return response.contentType(MediaType.APPLICATION_JSON).body(SegmentationResponse.of(result));
        }
        byte[] labelMap = writer.labelMapGz(result.geometry(), result.labels());
        return response.contentType(GZIP)
                .header(HttpHeaders.CONTENT_DISPOSITION,
                        ContentDisposition.attachment().filename(labelMapName(upload)).build().toString())
                .body(labelMap);
    }

    /** JSON when the client ranks application/json above application/gzip; the label map otherwise. */
    static boolean prefersJson(String accept) {
        if (accept == null || accept.isBlank()) {
            return false;
        }
        List<MediaType> types = new ArrayList<>(MediaType.parseMediaTypes(accept));
        types.sort(Comparator.comparingDouble(MediaType::getQualityValue).reversed());
        for (MediaType type : types) {
            if (type.isWildcardType() || GZIP.isCompatibleWith(type) && !type.isWildcardSubtype()) {
                return false;
            }
            if (MediaType.APPLICATION_JSON.isCompatibleWith(type) && !type.isWildcardSubtype()) {
                return true;
            }
        }
        return false;
    }

    /** {@code hippocampus_003.nii.gz} -> {@code hippocampus_003_seg.nii.gz}. */
    static String labelMapName(VolumeUpload upload) {
        String name = upload.displayName().replaceFirst("(?i)\\.nii(\\.gz)?$", "");
        return name + "_seg.nii.gz";
    }

    static String volumes(List<ClassVolume> classes) {
        return classes.stream()
                .map(c -> c.label() + "=" + String.format(Locale.ROOT, "%.4f", c.millilitres()))
                .collect(Collectors.joining(", "));
    }

    static String serverTiming(SegmentationResult result) {
        StringBuilder out = new StringBuilder();
        for (Stage stage : Stage.values()) {
            out.append(stage.label()).append(";dur=")
                    .append(String.format(Locale.ROOT, "%.2f", result.timings().millis(stage))).append(", ");
        }
        return out.append("total;dur=").append(String.format(Locale.ROOT, "%.2f", result.totalNanos() / 1e6))
                .toString();
    }
}
