# Iris as a service: container image (multi-stage).
#
#   CPU (default):  docker build -t iris-service:0.1.0 .
#   CUDA:           docker build --build-arg FLAVOUR=cuda -t iris-service:0.1.0-cuda .
#
# Expected uncompressed sizes (estimates, not measured; see docs/deployment.md):
#   CPU  ~1.0 GB (Ubuntu 24.04 + JRE 17 ~0.27 GB, libraries ~0.2 GB, libtorch CPU extracted ~0.45 GB, model 29 MB)
#   CUDA ~5 GB   (CUDA base ~0.25 GB, JRE 17, libraries, libtorch cu128 with cuBLAS/cuDNN ~4 GB, model)
# Needs BuildKit (RUN --mount); the build stage needs network access (Maven Central; CUDA also
# publish.djl.ai), the running container needs none.

ARG FLAVOUR=cpu
ARG MAVEN_IMAGE=maven:3.9-eclipse-temurin-17-noble
ARG JRE_IMAGE=eclipse-temurin:17-jre-noble
ARG CUDA_IMAGE=nvidia/cuda:12.8.1-base-ubuntu24.04

# ---------------------------------------------------------------------------------------------------
# build: exactly the Maven command of the README and the Makefile; FLAVOUR=cuda activates the "cuda"
# profile through MAVEN_ARGS (read by Maven 3.9+), which keeps pytorch-native-cpu off the classpath.
FROM ${MAVEN_IMAGE} AS build
ARG FLAVOUR
WORKDIR /build
COPY pom.xml ./
COPY src ./src
COPY docker ./docker
RUN --mount=type=cache,target=/root/.m2 \
    if [ "$FLAVOUR" = "cuda" ]; then export MAVEN_ARGS="-Pcuda"; fi; \
    mvn -B -DskipTests package
RUN java -Djarmode=tools -jar target/iris-service.jar extract --layers --destination extracted \
 && mkdir -p extracted/dependencies extracted/spring-boot-loader extracted/snapshot-dependencies extracted/application \
 && javac --release 17 -d tools docker/HealthCheck.java \
 && javac --release 17 -cp 'extracted/dependencies/lib/*' -d tools docker/PrefetchDjlNatives.java

# ---------------------------------------------------------------------------------------------------
# runtime bases: a slim JRE for CPU; the NVIDIA CUDA base plus the same JRE for GPU. The CUDA build of
# libtorch that DJL fetches carries its own cuBLAS/cuDNN, so the small "base" CUDA image suffices
# (set CUDA_IMAGE to a -runtime- tag if your platform team standardises on it).
FROM ${JRE_IMAGE} AS jre

FROM ${JRE_IMAGE} AS base-cpu
ENV IRIS_MODEL_DEVICE=cpu

FROM ${CUDA_IMAGE} AS base-cuda
COPY --from=jre /opt/java/openjdk /opt/java/openjdk
ENV JAVA_HOME=/opt/java/openjdk \
    PATH=/opt/java/openjdk/bin:$PATH \
    LANG=C.UTF-8 \
    PYTORCH_FLAVOR=cu128 \
    IRIS_MODEL_DEVICE=gpu

# ---------------------------------------------------------------------------------------------------
# runtime: non-root, offline, model inside, data on a volume.
FROM base-${FLAVOUR} AS runtime
LABEL org.opencontainers.image.title="iris-service" \
      org.opencontainers.image.description="Iris in-context 3D medical image segmentation as a REST service" \
      org.opencontainers.image.licenses="Apache-2.0"

RUN groupadd --system --gid 10001 iris \
 && useradd --system --uid 10001 --gid 10001 --home-dir /nonexistent --no-create-home \
            --shell /usr/sbin/nologin iris

WORKDIR /opt/iris
# Spring Boot layers, least to most frequently changing.
COPY --from=build /build/extracted/dependencies/ ./
COPY --from=build /build/extracted/spring-boot-loader/ ./
COPY --from=build /build/extracted/snapshot-dependencies/ ./
COPY --from=build /build/extracted/application/ ./
COPY --from=build /build/tools/ ./tools/
COPY models/iris-small/ ./models/iris-small/

# DJL's PyTorch natives are resolved now (extracted from the jar for CPU, downloaded for CUDA) and
# loaded once as a check; at run time DJL_OFFLINE forbids any download and the cache is read-only.
ENV DJL_CACHE_DIR=/opt/djl-cache
RUN java -cp "/opt/iris/tools:/opt/iris/lib/*" PrefetchDjlNatives "${PYTORCH_FLAVOR:-cpu}" \
 && mkdir -p /data \
 && chown 10001:10001 /data

# JVM heap sized from the container memory limit. Only half: tensors live in libtorch's native
# memory, outside the Java heap, and need the other half. Override JAVA_OPTS to tune.
ENV IRIS_MODEL_DIR=/opt/iris/models/iris-small \
    IRIS_STORE_DIR=/data \
    DJL_OFFLINE=true \
    JAVA_OPTS="-XX:MaxRAMPercentage=50.0 -XX:+ExitOnOutOfMemoryError"

USER 10001:10001
VOLUME ["/data"]
# 8080: the API (authenticated); 8081: actuator (probes, Prometheus), never to be published to clients.
EXPOSE 8080 8081

# No curl/wget in the CUDA base: a small Java probe (docker/HealthCheck.java) asks readiness on the
# management port.
HEALTHCHECK --interval=30s --timeout=10s --start-period=180s --retries=3 \
  CMD ["java", "-Xmx16m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:-UsePerfData", "-cp", "/opt/iris/tools", \
       "HealthCheck", "http://127.0.0.1:8081/actuator/health/readiness"]

# exec: java is PID 1 and receives SIGTERM for the graceful shutdown.
ENTRYPOINT ["/bin/sh", "-c", "exec java $JAVA_OPTS -jar /opt/iris/iris-service.jar \"$@\"", "iris-service"]
