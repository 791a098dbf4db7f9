package org.irisseg.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.ConstructorBinding;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.validation.annotation.Validated;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

/**
 * Every setting of the service under the {@code iris} prefix (environment form in brackets).
 *
 * @param model       where the exported model lives and which device runs it
 * @param store       the durable task store
 * @param nifti       limits applied to every uploaded NIfTI file
 * @param inference   concurrency cap and bounded wait queue in front of the model
 * @param taskCache   the in-memory cache of registered tasks and their embeddings
 * @param admission   what a request may cost before any volume is decoded
 * @param quality     the thresholds of the quality flags every segmentation carries
 * @param upload      where uploads are spooled while a request runs
 * @param security    who may call the API: API keys, bearer JWTs, or nobody checked (local trials)
 * @param cors        which browser origins may call the API
 * @param apiDocs     whether the OpenAPI document and Swagger UI are served
 */
@Validated
@ConfigurationProperties(prefix = "iris")
public record IrisProperties(
        @Valid @DefaultValue Model model,
        @Valid @DefaultValue Store store,
        @Valid @DefaultValue Nifti nifti,
        @Valid @DefaultValue Inference inference,
        @Valid @DefaultValue TaskCache taskCache,
        @Valid @DefaultValue Admission admission,
        @Valid @DefaultValue Quality quality,
        @Valid @DefaultValue Upload upload,
        @Valid @DefaultValue Security security,
        @Valid @DefaultValue Cors cors,
        @Valid @DefaultValue ApiDocs apiDocs) {

    @ConstructorBinding
    public IrisProperties {
    }

    /** Settings with the default quality thresholds, upload spool, security, CORS and API documentation. */
    public IrisProperties(Model model, Store store, Nifti nifti, Inference inference, TaskCache taskCache,
            Admission admission) {
        this(model, store, nifti, inference, taskCache, admission, Quality.defaults(), new Upload(null),
                Security.defaults(), new Cors(List.of()), new ApiDocs(true));
    }

    /** Device that runs the TorchScript modules. */
    public enum Device { CPU, GPU }

    /**
     * @param dir    model directory holding {@code model.json} and the three TorchScript files [IRIS_MODEL_DIR]
     * @param device {@code cpu} or {@code gpu} [IRIS_MODEL_DEVICE]
     */
    public record Model(
            @NotNull @DefaultValue("models/iris-small") Path dir,
            @NotNull @DefaultValue("cpu") Device device) {
    }

    /** Where tasks live: files in {@code iris.store.dir} (one replica) or PostgreSQL (any number). */
    public enum StoreType { FILE, POSTGRES }

    /**
     * @param type           {@code file} (default) or {@code postgres}, which uses {@code spring.datasource.*}
     *                       [IRIS_STORE_TYPE]
     * @param dir            data directory of the file task store [IRIS_STORE_DIR]
     * @param keepReferences keep the reference volumes, re-written from their decoded voxels (geometry and
     *                       voxels only), so tasks can be re-encoded by a new model
     *                       [IRIS_STORE_KEEP_REFERENCES]
     * @param maxStaleness   longest a replica serves a cached task without asking the store whether it
     *                       changed, should a change notification from another replica be lost
     *                       [IRIS_STORE_MAX_STALENESS]
     * @param referenceRetention how long a kept reference volume is kept after it was (last) uploaded; unset:
     *                       as long as a task refers to it. An expired one is removed (swept at start-up and
     *                       periodically) and its task keeps working from its embeddings, like a task whose
     *                       references were never kept [IRIS_STORE_REFERENCE_RETENTION]
     */
    public record Store(
            @NotNull @DefaultValue("file") StoreType type,
            @NotNull @DefaultValue("data") Path dir,
            @DefaultValue("true") boolean keepReferences,
            @NotNull @DefaultValue("5s") Duration maxStaleness,
            Duration referenceRetention) {

        @ConstructorBinding
        public Store {
            if (referenceRetention != null && (referenceRetention.isNegative() || referenceRetention.isZero())) {
                throw new IllegalArgumentException("iris.store.reference-retention must be positive when set, got "
                        + referenceRetention);
            }
        }

        /** Kept references live as long as their tasks. */
        public Store(StoreType type, Path dir, boolean keepReferences, Duration maxStaleness) {
            this(type, dir, keepReferences, maxStaleness, null);
        }

        /** The file store in {@code dir}, default settings otherwise. */
        public static Store files(Path dir) {
            return new Store(StoreType.FILE, dir, true, Duration.ofSeconds(5));
        }
    }

    /**
     * @param spoolDir folder the multipart parts of a request are spooled to (created 0700; what a killed
     *                 process left there is removed at start-up). Unset: {@code iris-spool} under
     *                 {@code java.io.tmpdir} [IRIS_UPLOAD_SPOOL_DIR]
     */
    public record Upload(Path spoolDir) {

        /** The configured folder or the default one. */
        public Path spoolDirOrDefault() {
            return spoolDir != null ? spoolDir : Path.of(System.getProperty("java.io.tmpdir"), "iris-spool");
        }
    }

    /**
     * @param maxVoxels            largest accepted volume in voxels [IRIS_NIFTI_MAX_VOXELS]
     * @param maxDecompressedBytes largest accepted decompressed file size
     */
    public record Nifti(
            @Min(1) @DefaultValue("134217728") long maxVoxels,
            @Min(1) @DefaultValue("1074790400") long maxDecompressedBytes) {
    }

    /**
     * @param maxConcurrent inferences running at once, one predictor set each [IRIS_INFERENCE_MAX_CONCURRENT]
     * @param queueCapacity requests allowed to wait for a free predictor set; more are refused (429)
     * @param queueTimeout  longest wait for a predictor set before the request is refused (503)
     */
    public record Inference(
            @Min(1) @DefaultValue(Inference.MAX_CONCURRENT) int maxConcurrent,
            @Min(0) @DefaultValue(Inference.QUEUE_CAPACITY) int queueCapacity,
            @NotNull @DefaultValue(Inference.QUEUE_TIMEOUT) Duration queueTimeout) {

        /**
         * One predictor set: each has a thread with its own OpenMP pool, and two on two cores made a lone
         * hippocampus request about 1.5x as slow (the idle pool's threads spin beside the working one).
         */
        static final String MAX_CONCURRENT = "1";
        static final String QUEUE_CAPACITY = "8";
        static final String QUEUE_TIMEOUT = "30s";

        /** The defaults. */
        public static Inference defaults() {
            return new Inference(Integer.parseInt(MAX_CONCURRENT), Integer.parseInt(QUEUE_CAPACITY),
                    DurationStyle.detectAndParse(QUEUE_TIMEOUT));
        }
    }

    /**
     * @param maxBytes bound of the task cache in bytes [IRIS_TASK_CACHE_MAX_BYTES]
     */
    public record TaskCache(
            @Min(1024) @DefaultValue("268435456") long maxBytes) {
    }

    /**
     * @param maxBytes   heap that decoding and inference may hold at once, in bytes; every request reserves
     *                   its share (voxels x 4 bytes x copies) before decoding. Unset: half the JVM's maximum
     *                   heap [IRIS_ADMISSION_MAX_BYTES]
     * @param maxClasses most classes (distinct non-zero mask labels) a task may have [IRIS_ADMISSION_MAX_CLASSES]
     */
    public record Admission(
            @Min(1024) Long maxBytes,
            @Min(1) @DefaultValue("64") int maxClasses) {

        /** The configured budget, or half of {@code maxHeapBytes} when none is set. */
        public long maxBytesOr(long maxHeapBytes) {
            return maxBytes != null ? maxBytes : maxHeapBytes / 2;
        }
    }

    /**
     * The one place the quality flags' thresholds live. The defaults were chosen on held-out development
     * data by {@code training/scripts/calibrate_quality.py} (see {@code docs/quality-calibration.md}).
     *
     * @param volumeTolerance      VOLUME_OUTSIDE_REFERENCE_RANGE when the predicted volume is below
     *                             min x (1 - tolerance) or above max x (1 + tolerance) of the task's
     *                             reference volumes of that class
     * @param minMeanProbability   LOW_CONFIDENCE when the mean probability inside the predicted region is below
     * @param minReferenceSimilarity LOW_REFERENCE_SIMILARITY when the cosine similarity of the predicted
     *                             object's embedding to the closest reference embedding of its class is below
     * @param minMemberAgreement   MEMBERS_DISAGREE when the mean Dice of the ensemble members' masks with the
     *                             answer is below
     * @param maxMembers           at most this many ensemble members are decoded on their own for the
     *                             agreement (0, the default: no member check, so an ensemble costs what a
     *                             one-shot does; {@code output=uncertainty} decodes every member whatever
     *                             this says) [IRIS_QUALITY_MAX_MEMBERS]
     */
    public record Quality(
            @DecimalMin("0") @DefaultValue(VOLUME_TOLERANCE) double volumeTolerance,
            @DecimalMin("0") @DecimalMax("1") @DefaultValue(MIN_MEAN_PROBABILITY) double minMeanProbability,
            @DecimalMin("-1") @DecimalMax("1") @DefaultValue(MIN_REFERENCE_SIMILARITY) double minReferenceSimilarity,
            @DecimalMin("0") @DecimalMax("1") @DefaultValue(MIN_MEMBER_AGREEMENT) double minMemberAgreement,
            @Min(0) @DefaultValue(MAX_MEMBERS) int maxMembers) {

        static final String VOLUME_TOLERANCE = "0.3";
        static final String MIN_MEAN_PROBABILITY = "0.91";
        static final String MIN_REFERENCE_SIMILARITY = "0.974";
        static final String MIN_MEMBER_AGREEMENT = "0.92";
        /**
         * Off: in the calibration MEMBERS_DISAGREE flagged 1-3 % of the answers with Dice < 0.5, each of them
         * flagged by another check as well, and decoding members one by one was most of an ensemble request's time.
         */
        static final String MAX_MEMBERS = "0";

        /** The defaults. */
        public static Quality defaults() {
            return new Quality(Double.parseDouble(VOLUME_TOLERANCE), Double.parseDouble(MIN_MEAN_PROBABILITY),
                    Double.parseDouble(MIN_REFERENCE_SIMILARITY), Double.parseDouble(MIN_MEMBER_AGREEMENT),
                    Integer.parseInt(MAX_MEMBERS));
        }
    }

    /**
     * Authentication of API calls. With it on (the default) every call needs an API key ({@code X-API-Key})
     * or a bearer JWT of the issuer in {@code spring.security.oauth2.resourceserver.jwt.issuer-uri} (or
     * {@code jwk-set-uri}); with neither configured a development key is generated and logged at start-up.
     *
     * @param enabled      false only for local trials: every call then runs as {@code anonymous} of tenant
     *                     {@code default} with every scope, and start-up says so loudly [IRIS_SECURITY_ENABLED]
     * @param apiKeys      {@code tenant:key} entries, plaintext, for scripts and tests; each key has both scopes
     *                     [IRIS_API_KEYS]
     * @param apiKeyHashes {@code tenant:sha256hex[:scope+scope]} entries, the keys' SHA-256 (from a Secret);
     *                     without scopes a key has both [IRIS_SECURITY_API_KEY_HASHES]
     * @param jwt          how bearer tokens are read
     */
    public record Security(
            @DefaultValue("true") boolean enabled,
            @NotNull @DefaultValue List<String> apiKeys,
            @NotNull @DefaultValue List<String> apiKeyHashes,
            @Valid @NotNull @DefaultValue Jwt jwt) {

        /** The defaults: on, no keys, tenants from the {@code tenant} claim. */
        public static Security defaults() {
            return new Security(true, List.of(), List.of(), new Jwt(null, "tenant"));
        }

        /** Never prints the keys. */
        @Override
        public String toString() {
            return "Security[enabled=" + enabled + ", apiKeys=" + apiKeys.size() + ", apiKeyHashes="
                    + apiKeyHashes.size() + ", jwt=" + jwt + "]";
        }
    }

    /**
     * @param audience    when set, a token must name it in {@code aud} [IRIS_SECURITY_JWT_AUDIENCE]
     * @param tenantClaim the claim that names the caller's tenant; a token without it is refused (403)
     *                    [IRIS_SECURITY_JWT_TENANT_CLAIM]
     */
    public record Jwt(
            String audience,
            @NotNull @DefaultValue("tenant") String tenantClaim) {
    }

    /**
     * @param allowedOrigins browser origins (e.g. {@code https://viewer.example.org}) allowed to call the
     *                       API; empty (the default): every cross-origin request is refused
     *                       [IRIS_CORS_ALLOWED_ORIGINS]
     */
    public record Cors(@NotNull @DefaultValue List<String> allowedOrigins) {
    }

    /**
     * @param enabled serve the OpenAPI document ({@code /v3/api-docs}) and Swagger UI, without credentials
     *                [IRIS_API_DOCS_ENABLED]
     */
    public record ApiDocs(@DefaultValue("true") boolean enabled) {
    }
}
