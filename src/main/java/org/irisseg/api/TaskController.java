package org.irisseg.api;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

import org.irisseg.audit.AuditFacts;
import org.irisseg.error.IrisException;
import org.irisseg.error.ProblemType;
import org.irisseg.security.Caller;
import org.irisseg.task.TaskService;
import org.irisseg.task.TaskSummary;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import tools.jackson.databind.json.JsonMapper;

/**
 * Tasks: reference image-mask pairs registered once, their embeddings kept in the task store. Every task
 * belongs to the caller's tenant; another tenant's task answers 404 like a missing one.
 */
@RestController
@RequestMapping("/api/v1/tasks")
@Tag(name = "tasks", description = "Register reference image-mask pairs as segmentation tasks")
public class TaskController {

    static final String TOTAL_COUNT = "X-Total-Count";
    static final int DEFAULT_PAGE_SIZE = 50;
    static final int MAX_PAGE_SIZE = 500;

    private final TaskService tasks;
    private final JsonMapper json;

    public TaskController(TaskService tasks, JsonMapper json) {
        this.tasks = tasks;
        this.json = json;
    }

    @Operation(summary = "Register a task",
            description = "Encodes every reference pair once and stores the task durably. Every non-zero value of"
                    + " the masks is a class; every mask must show every class. Kept reference volumes are"
                    + " re-written from the decoded voxels (geometry and voxels only: no header text, no"
                    + " extensions); file names are not stored.")
    @ApiResponse(responseCode = "201", description = "Task registered")
    @ProblemResponses(badRequest = "Corrupt file, grids differ, volume too small for the 3D model, empty class"
            + " mask, more classes than iris.admission.max-classes, bad parameter",
            value = {413, 415, 429, 503, 507})
    @PostMapping(consumes = MediaType.MULTIPART_FORM_DATA_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
    public ResponseEntity<TaskResponse> create(
            Caller caller,
            @Parameter(description = "Task name, shown in listings and answers: it may identify a patient if one is"
                    + " put there, so do not. At most 200 printable characters; control characters, line breaks"
                    + " and bidirectional controls (U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069) are"
                    + " refused (400).") @RequestPart("name") String name,
            @Parameter(description = "Reference images (NIfTI, .nii or .nii.gz)")
            @RequestPart("references") List<MultipartFile> references,
            @Parameter(description = "Label maps, one per reference image, in the same order")
            @RequestPart("masks") List<MultipartFile> masks,
            @Parameter(description = "Class names: JSON object, label value -> name, e.g. {\"1\":\"anterior\"}."
                    + " Keys are canonical decimal labels 1..65535 (not \"01\", \"+1\" or \" 1\"), each once; names"
                    + " at most 100 printable characters without bidirectional controls (else 400).")
            @RequestParam(value = "labels", required = false) String labels) {
        TaskSummary task = tasks.register(caller.tenant(), name, Uploads.pairs(references, masks),
                LabelNames.parse(labels, json));
        AuditFacts.task(task);
        return ResponseEntity.created(URI.create("/api/v1/tasks/" + task.id())).body(TaskResponse.of(task));
    }

    @Operation(summary = "List tasks",
            description = "The tasks of the caller's tenant, oldest first, one page at a time: " + TOTAL_COUNT
                    + " tells how many there are, Link (RFC 8288) the next and previous pages.")
    @ApiResponse(responseCode = "200", description = "One page of the tenant's tasks", headers = {
            @Header(name = TOTAL_COUNT, description = "Number of tasks of the tenant",
                    schema = @Schema(type = "integer", format = "int64")),
            @Header(name = HttpHeaders.LINK, description = "Pages with rel next and prev, where they exist",
                    schema = @Schema(type = "string"))})
    @ProblemResponses(badRequest = "page below 0, size outside 1-" + MAX_PAGE_SIZE, value = 503)
    @GetMapping(produces = MediaType.APPLICATION_JSON_VALUE)
    public ResponseEntity<List<TaskResponse>> list(
            Caller caller,
            @Parameter(description = "Page number, from 0") @RequestParam(value = "page", defaultValue = "0") int page,
            @Parameter(description = "Tasks per page, 1-" + MAX_PAGE_SIZE)
            @RequestParam(value = "size", defaultValue = "" + DEFAULT_PAGE_SIZE) int size) {
        if (page < 0) {
            throw new IrisException(ProblemType.INVALID_PARAMETER, "'page' must be 0 or more");
        }
        if (size < 1 || size > MAX_PAGE_SIZE) {
            throw new IrisException(ProblemType.INVALID_PARAMETER, "'size' must be between 1 and " + MAX_PAGE_SIZE);
        }
        long total = tasks.count(caller.tenant());
        List<TaskResponse> body = tasks.list(caller.tenant(), (long) page * size, size).stream()
                .map(TaskResponse::of).toList();
        ResponseEntity.BodyBuilder response = ResponseEntity.ok().header(TOTAL_COUNT, String.valueOf(total));
        String links = links(page, size, total);
        if (!links.isEmpty()) {
            response.header(HttpHeaders.LINK, links);
        }
        return response.body(body);
    }

    /** RFC 8288 links to the next page (when there are more tasks) and the previous one (when not on the first). */
    static String links(int page, int size, long total) {
        List<String> links = new ArrayList<>();
        if ((long) (page + 1) * size < total) {
            links.add("</api/v1/tasks?page=" + (page + 1) + "&size=" + size + ">; rel=\"next\"");
        }
        if (page > 0) {
            long last = Math.max(0, (total - 1) / size);
            links.add("</api/v1/tasks?page=" + Math.min(page - 1, last) + "&size=" + size + ">; rel=\"prev\"");
        }
        return String.join(", ", links);
    }

    @Operation(summary = "Get a task")
    @ApiResponse(responseCode = "200", description = "The task")
    @ProblemResponses({404, 503})
    @GetMapping(path = "/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
    public TaskResponse get(Caller caller, @PathVariable("id") String id) {
        TaskSummary task = tasks.summary(caller.tenant(), id);
        AuditFacts.task(task);
        return TaskResponse.of(task);
    }

    @Operation(summary = "Delete a task")
    @ApiResponse(responseCode = "204", description = "Deleted")
    @ProblemResponses({404, 503, 507})
    @DeleteMapping("/{id}")
    public ResponseEntity<Void> delete(Caller caller, @PathVariable("id") String id) {
        tasks.delete(caller.tenant(), id);
        return ResponseEntity.noContent().build();
    }

    @Operation(summary = "Add reference pairs to a task's pool",
            description = "Each new mask must show exactly the task's classes.")
    @ApiResponse(responseCode = "200", description = "The grown task")
    @ProblemResponses(badRequest = "Corrupt file, grids differ, volume too small for the 3D model, class missing"
            + " or unknown", value = {404, 413, 415, 429, 503, 507})
    @PostMapping(path = "/{id}/references", consumes = MediaType.MULTIPART_FORM_DATA_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    public TaskResponse addReferences(
            Caller caller,
            @PathVariable("id") String id,
            @Parameter(description = "Reference images (NIfTI)") @RequestPart("references") List<MultipartFile> references,
            @Parameter(description = "Label maps, one per reference image, in the same order")
            @RequestPart("masks") List<MultipartFile> masks) {
        TaskSummary task = tasks.addReferences(caller.tenant(), id, Uploads.pairs(references, masks));
        AuditFacts.task(task);
        return TaskResponse.of(task);
    }
}
