{{/* Chart name, truncated to the 63 characters Kubernetes names allow. */}}
{{- define "iris-service.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Fully qualified app name: release-chart, or the release name when it already contains the chart name. */}}
{{- define "iris-service.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "iris-service.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "iris-service.labels" -}}
helm.sh/chart: {{ include "iris-service.chart" . }}
{{ include "iris-service.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "iris-service.selectorLabels" -}}
app.kubernetes.io/name: {{ include "iris-service.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "iris-service.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "iris-service.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* Image reference: an empty tag means appVersion, plus "-cuda" on GPU. */}}
{{- define "iris-service.image" -}}
{{- $tag := .Values.image.tag | default (printf "%s%s" .Chart.AppVersion (ternary "-cuda" "" .Values.gpu.enabled)) }}
{{- printf "%s:%s" .Values.image.repository $tag }}
{{- end }}

{{/* Name of the claim that holds the task store. */}}
{{- define "iris-service.claimName" -}}
{{- .Values.persistence.existingClaim | default (printf "%s-data" (include "iris-service.fullname" .)) }}
{{- end }}

{{/* "true" when every replica can mount the task store read-write (a ReadWriteMany claim). */}}
{{- define "iris-service.sharedStore" -}}
{{- if and .Values.persistence.enabled (has "ReadWriteMany" .Values.persistence.accessModes) }}true{{ end }}
{{- end }}

{{/*
Refuses configurations the task store cannot serve. The file task store is single-writer: it keeps
listings in memory and, at start-up and after deletions, removes files it does not know, which on a
shared volume are another replica's uploads in progress. So more than one replica needs a store
declared safe for it (taskStore.sharedAcrossReplicas) on a volume every replica can write (ReadWriteMany).
*/}}
{{- define "iris-service.validate" -}}
{{- $replicas := int .Values.replicaCount }}
{{- if or (gt $replicas 1) .Values.autoscaling.enabled }}
{{- $asked := ternary "autoscaling.enabled=true" (printf "replicaCount=%d" $replicas) .Values.autoscaling.enabled }}
{{- if not (include "iris-service.sharedStore" .) }}
{{- $volume := ternary (printf "a %s volume" (join "/" .Values.persistence.accessModes)) "a per-pod emptyDir (persistence.enabled=false)" .Values.persistence.enabled }}
{{- fail (printf "iris-service: %s refused. The task store is a file store on %s, which only one replica can use: keep replicaCount=1 and scale up instead (gpu, config.inference.maxConcurrent, resources); see docs/deployment.md." $asked $volume) }}
{{- else if not .Values.taskStore.sharedAcrossReplicas }}
{{- fail (printf "iris-service: %s refused. Even on a ReadWriteMany volume the file task store is single-writer (in-memory listings; start-up clean-up removes other replicas' uploads in progress): keep replicaCount=1 and scale up instead (gpu, config.inference.maxConcurrent, resources). taskStore.sharedAcrossReplicas=true is for a store that supports several replicas; see docs/deployment.md." $asked) }}
{{- end }}
{{- end }}
{{- end }}
