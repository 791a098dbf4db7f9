package org.irisseg.api;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

import org.irisseg.audit.AuditFacts;
import org.irisseg.model.Stage;
import org.irisseg.nifti.NiftiWriter;
import org.irisseg.security.Caller;
import org.irisseg.segmentation.BuiltInTask;
import org.irisseg.segmentation.ClassVolume;
import org.irisseg.segmentation.SegmentationMode;
import org.irisseg.segmentation.SegmentationOutput;
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
import io.swagger.v3.oas.annotations.enums.ParameterIn;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;

/**
 * Segmentations: a query volume segmented with a registered task. One operation answers with any output
 * (chosen by {@code output}); a second answers with the statistics alone, so that generated clients,
 * which type one response per operation, get them as an object.
 */
@RestController
@RequestMapping("/api/v1/segmentations")
@Tag(name = "segmentations", description = "Segment NIfTI query volumes with a registered task")
public class SegmentationController {

    static final String VOLUMES_HEADER = "Iris-Volumes-mL";
    static final String QUALITY_HEADER = "Iris-Quality";
    static final String TASK_HEADER = "Iris-Task-Id";
    static final String MODE_HEADER = "Iris-Mode";
    static final String MODEL_HEADER = "Iris-Model-Version";
    static final MediaType GZIP = MediaType.parseMediaType(ApiDocs.GZIP);
    private static final String BAD_REQUEST = "Corrupt file, volume too small for the 3D model, unknown class, bad"
            + " mode, output or parameter";

    private final SegmentationService segmentations;
    private final NiftiWriter writer = new NiftiWriter();

    private static final String TASK_ID = "Task id, or " + BuiltInTask.ID + " to segment built-in classes (no reference):"
            + " then classes names their ids from GET /api/v1/catalogue, labelled 1, 2, ... in that order";
    private static final String FOCUS = "Locate, then focus: segment the whole query with the references encoded"
            + " inside their focus boxes (cubes of twice the object's extent, at least 48 mm), then again inside a box"
            + " of that size around what was found (or up to 8 overlapping boxes of that size over it, averaged where they"
            + " overlap, where what was found is larger), for small objects in large fields of view. Not with"
            + " output=uncertainty or the built-in classes";

    public SegmentationController(SegmentationService segmentations) {
        this.segmentations = segmentations;
    }

    @Operation(summary = "Segment a volume",
            description = "Segments the query with a registered task and answers with the output asked for:"
                    + " label-map (default), a NIfTI label map (.nii.gz) on the query's own voxel grid and header"
                    + " geometry with the task's label values, overlaps going to the class of highest probability;"
                    + " statistics, the per-class volumes and quality as JSON without the mask (also"
                    + " POST /api/v1/segmentations/statistics, typed for generated clients); probabilities, a"
                    + " float32 NIfTI (.nii.gz) on the query's grid with one volume per class (4th axis, in the"
                    + " order of " + VOLUMES_HEADER + "); uncertainty, the same shape holding per voxel the"
                    + " standard deviation of the ensemble members' probabilities (modes with several members:"
                    + " ensemble, or retrieval with k >= 2, and a task of 2 or more references); preview, a PNG"
                    + " montage of axial, coronal and sagittal slices through the predicted objects with the label"
                    + " map over the image (radiological convention: the patient's right on the left). Without"
                    + " output, Accept chooses: application/json ranked strictly above application/gzip gives the"
                    + " statistics, image/png the preview. Per-class volumes are in the " + VOLUMES_HEADER + " header, quality flags in "
                    + QUALITY_HEADER + " (the JSON statistics carry the metrics behind them) and stage timings"
                    + " in Server-Timing.")
    @ApiResponse(responseCode = "200", description = "The output asked for: label map, probabilities or uncertainty"
            + " (application/gzip), statistics (application/json) or preview (image/png)",
            headers = {
                    @Header(name = VOLUMES_HEADER, description = "label=millilitres, comma-separated",
                            schema = @Schema(type = "string", example = "1=1.234, 2=0.987")),
                    @Header(name = QUALITY_HEADER, description = "label=flags joined by +, or ok; the flags are"
                            + " those of ClassQuality", schema = @Schema(type = "string",
                            example = "1=ok, 2=LOW_CONFIDENCE+MEMBERS_DISAGREE")),
                    @Header(name = "Server-Timing", description = "queue, image-encoding, task-encoding, decoding,"
                            + " quality and total durations in ms", schema = @Schema(type = "string")),
                    @Header(name = TASK_HEADER, schema = @Schema(type = "string")),
                    @Header(name = MODE_HEADER, schema = @Schema(type = "string")),
                    @Header(name = MODEL_HEADER, schema = @Schema(type = "string"))},
            content = {
                    @Content(mediaType = ApiDocs.GZIP, schema = @Schema(type = "string", format = "binary")),
                    @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                            schema = @Schema(implementation = SegmentationResponse.class)),
                    @Content(mediaType = MediaType.IMAGE_PNG_VALUE, schema = @Schema(type = "string", format = "binary"))})
    @ProblemResponses(badRequest = BAD_REQUEST, value = {404, 406, 409, 413, 415, 429, 503, 507})
    @PostMapping(consumes = MediaType.MULTIPART_FORM_DATA_VALUE,
            produces = {ApiDocs.GZIP, MediaType.APPLICATION_JSON_VALUE, MediaType.IMAGE_PNG_VALUE})
    public ResponseEntity<?> segment(
            Caller caller,
            @Parameter(description = "Query volume (NIfTI, .nii or .nii.gz)") @RequestPart("image") MultipartFile image,
            @Parameter(description = TASK_ID) @RequestPart("taskId") String taskId,
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
            @Parameter(description = FOCUS)
            @RequestParam(value = "focus", defaultValue = "false") boolean focus,
            @Parameter(in = ParameterIn.QUERY, description = "What to answer with; without it, Accept decides and"
                    + " the label map is the default",
                    schema = @Schema(type = "string", allowableValues = {"label-map", "statistics", "probabilities",
                            "uncertainty", "preview"}))
            @RequestParam(value = "output", required = false) String output,
            @Parameter(hidden = true) @RequestHeader(value = HttpHeaders.ACCEPT, required = false) String accept) {
        AuditFacts.taskId(taskId);
        SegmentationOutput chosen = OutputNegotiation.choose(output, accept);
        VolumeUpload upload = Uploads.of(image);
        SegmentationResult result = segmentations.segment(caller.tenant(), upload, new SegmentationRequest(taskId,
                SegmentationMode.parse(mode), k, threshold, classList(classes), referenceIndex, chosen, focus));
        ResponseEntity.BodyBuilder response = headers(result);
        return switch (chosen) {
            case STATISTICS -> response.contentType(MediaType.APPLICATION_JSON).body(SegmentationResponse.of(result));
            case LABEL_MAP -> response.contentType(GZIP)
                    .header(HttpHeaders.CONTENT_DISPOSITION, attachment(labelMapName(upload)))
                    .body(writer.labelMapGz(result.geometry(), result.labels()));
            case PROBABILITIES, UNCERTAINTY -> response.contentType(GZIP)
                    .header(HttpHeaders.CONTENT_DISPOSITION, attachment(outputName(upload, chosen, ".nii.gz")))
                    .body(writer.volumesGz(result.geometry(), result.classMaps(), result.classes().size(),
                            "Iris " + chosen.wire()));
            case PREVIEW -> response.contentType(MediaType.IMAGE_PNG)
                    .header(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.inline()
                            .filename(outputName(upload, chosen, ".png")).build().toString())
                    .body(result.previewPng());
        };
    }

    @Operation(summary = "Segment a volume and return its statistics",
            description = "The same as output=statistics on POST /api/v1/segmentations, with one response type so"
                    + " that generated clients type it.")
    @ApiResponse(responseCode = "200", description = "Statistics of the segmentation")
    @ProblemResponses(badRequest = BAD_REQUEST, value = {404, 409, 413, 415, 429, 503, 507})
    @PostMapping(path = "/statistics", consumes = MediaType.MULTIPART_FORM_DATA_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    public ResponseEntity<SegmentationResponse> segmentStatistics(
            Caller caller,
            @Parameter(description = "Query volume (NIfTI, .nii or .nii.gz)") @RequestPart("image") MultipartFile image,
            @Parameter(description = TASK_ID) @RequestPart("taskId") String taskId,
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
            @Parameter(description = FOCUS)
            @RequestParam(value = "focus", defaultValue = "false") boolean focus) {
        AuditFacts.taskId(taskId);
        SegmentationResult result = segmentations.segment(caller.tenant(), Uploads.of(image),
                new SegmentationRequest(taskId, SegmentationMode.parse(mode), k, threshold, classList(classes),
                        referenceIndex, SegmentationOutput.STATISTICS, focus));
        return headers(result).contentType(MediaType.APPLICATION_JSON).body(SegmentationResponse.of(result));
    }

    private static ResponseEntity.BodyBuilder headers(SegmentationResult result) {
        AuditFacts.modelVersion(result.modelVersion());
        return ResponseEntity.ok()
                .header(TASK_HEADER, result.taskId())
                .header(MODE_HEADER, result.mode().wire())
                .header(MODEL_HEADER, result.modelVersion())
                .header(VOLUMES_HEADER, volumes(result.classes()))
                .header(QUALITY_HEADER, qualityFlags(result.classes()))
                .header("Server-Timing", serverTiming(result));
    }

    private static List<String> classList(String classes) {
        return classes == null ? List.of() : Arrays.asList(classes.split(","));
    }

    private static String attachment(String filename) {
        return ContentDisposition.attachment().filename(filename).build().toString();
    }

    /** {@code hippocampus_003.nii.gz} -> {@code hippocampus_003_seg.nii.gz}. */
    static String labelMapName(VolumeUpload upload) {
        String name = upload.displayName().replaceFirst("(?i)\\.nii(\\.gz)?$", "");
        return name + "_seg.nii.gz";
    }

    /** {@code hippocampus_003.nii.gz} -> {@code hippocampus_003_probabilities.nii.gz}. */
    static String outputName(VolumeUpload upload, SegmentationOutput output, String extension) {
        return upload.displayName().replaceFirst("(?i)\\.nii(\\.gz)?$", "") + "_" + output.wire() + extension;
    }

    static String volumes(List<ClassVolume> classes) {
        return classes.stream()
                .map(c -> c.label() + "=" + String.format(Locale.ROOT, "%.4f", c.millilitres()))
                .collect(Collectors.joining(", "));
    }

    /** {@code 1=ok, 2=LOW_CONFIDENCE+MEMBERS_DISAGREE}: per label its flags, or ok. */
    static String qualityFlags(List<ClassVolume> classes) {
        return classes.stream()
                .map(c -> c.label() + "=" + (c.quality().flags().isEmpty() ? "ok"
                        : c.quality().flags().stream().map(Enum::name).collect(Collectors.joining("+"))))
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
