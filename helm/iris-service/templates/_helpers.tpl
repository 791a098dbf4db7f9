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

{{/* "true" when tasks live in PostgreSQL (any number of replicas), "" for the file store. */}}
{{- define "iris-service.postgres" -}}
{{- if eq .Values.taskStore.type "postgres" }}true{{ end }}
{{- end }}

{{/* "true" when the file store's volume is a PersistentVolumeClaim. */}}
{{- define "iris-service.claim" -}}
{{- if and .Values.persistence.enabled (not (include "iris-service.postgres" .)) }}true{{ end }}
{{- end }}

{{/* Bytes of a Spring data size such as 1GB, 512MB or 1048576 (binary units, as Spring reads them). */}}
{{- define "iris-service.bytes" -}}
{{- $s := upper (toString .) | trim }}
{{- $n := regexFind "^[0-9]+" $s }}
{{- $unit := trimPrefix $n $s | default "B" }}
{{- $factor := get (dict "B" 1 "KB" 1024 "MB" 1048576 "GB" 1073741824 "TB" 1099511627776) $unit }}
{{- mul (int64 $n) (int64 $factor) }}
{{- end }}

{{/*
Size limit of the upload spool (/tmp): tmp.sizeLimit, or when "" the largest request times the requests
taken in at once (maxConcurrent + queueCapacity + one being refused) plus 1Gi, in Mi.
*/}}
{{- define "iris-service.spoolLimit" -}}
{{- if .Values.tmp.sizeLimit }}
{{- .Values.tmp.sizeLimit }}
{{- else }}
{{- $request := int64 (include "iris-service.bytes" .Values.config.upload.maxRequestSize) }}
{{- $inFlight := add .Values.config.inference.maxConcurrent .Values.config.inference.queueCapacity 1 }}
{{- $mib := 1048576 }}
{{- printf "%dMi" (add (div (add (mul $request $inFlight) (sub $mib 1)) $mib) 1024) }}
{{- end }}
{{- end }}

{{/*
Refuses a network policy peer without selectors (it would admit nothing, or with an empty peer, anything)
and configurations the task store cannot serve. The file task store serves one replica (in-memory
listings; start-up clean-up removes files it does not know, i.e. other replicas' uploads in progress), so
more than one replica, or the autoscaler, needs taskStore.type=postgres; that needs a URL and a password.
*/}}
{{- define "iris-service.validate" -}}
{{- if .Values.networkPolicy.enabled }}
{{- range $name := list "ingressController" "metricsScraper" }}
{{- $peer := get $.Values.networkPolicy $name | default dict }}
{{- if not (or (hasKey $peer "namespaceSelector") (hasKey $peer "podSelector")) }}
{{- fail (printf "iris-service: networkPolicy.%s needs a namespaceSelector and/or a podSelector (or set networkPolicy.enabled=false); see docs/deployment.md." $name) }}
{{- end }}
{{- end }}
{{- end }}
{{- $replicas := int .Values.replicaCount }}
{{- if include "iris-service.postgres" . }}
{{- if not .Values.taskStore.postgres.url }}
{{- fail "iris-service: taskStore.type=postgres needs taskStore.postgres.url (jdbc:postgresql://host:5432/database); see docs/deployment.md." }}
{{- end }}
{{- if not .Values.taskStore.postgres.passwordSecret.name }}
{{- fail "iris-service: taskStore.type=postgres needs taskStore.postgres.passwordSecret.name, a Secret holding the database password; see docs/deployment.md." }}
{{- end }}
{{- else if or (gt $replicas 1) .Values.autoscaling.enabled }}
{{- $asked := ternary "autoscaling.enabled=true" (printf "replicaCount=%d" $replicas) .Values.autoscaling.enabled }}
{{- fail (printf "iris-service: %s refused. The file task store serves one replica, whatever the volume: set taskStore.type=postgres (with taskStore.postgres.url and passwordSecret) to run several, or keep replicaCount=1 and scale up instead (gpu, config.inference.maxConcurrent, resources); see docs/deployment.md." $asked) }}
{{- end }}
{{- end }}

{{/*
Labels of the `helm test` pod: the release's, without app.kubernetes.io/name, so that neither the Service
nor the network policy of the service's pods selects it.
*/}}
{{- define "iris-service.testLabels" -}}
helm.sh/chart: {{ include "iris-service.chart" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: helm-test
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* "true" when the chart makes the Secret of API-key hashes from auth.apiKeys.hashes. */}}
{{- define "iris-service.createApiKeySecret" -}}
{{- if and (not .Values.auth.apiKeys.existingSecret) .Values.auth.apiKeys.hashes }}true{{ end }}
{{- end }}

{{/* Name of the Secret holding the API-key hashes, or "" when there is none. */}}
{{- define "iris-service.apiKeySecret" -}}
{{- if .Values.auth.apiKeys.existingSecret }}
{{- .Values.auth.apiKeys.existingSecret }}
{{- else if .Values.auth.apiKeys.hashes }}
{{- printf "%s-api-keys" (include "iris-service.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{/*
A NetworkPolicyPeer from {namespaceSelector, podSelector}: each present key is kept ({} included: all
namespaces, or all pods); a null one is left out (no namespaceSelector: the release's namespace).
*/}}
{{- define "iris-service.peer" -}}
{{- if and (hasKey . "namespaceSelector") (not (kindIs "invalid" .namespaceSelector)) }}
namespaceSelector:
  {{- toYaml .namespaceSelector | nindent 2 }}
{{- end }}
{{- if and (hasKey . "podSelector") (not (kindIs "invalid" .podSelector)) }}
podSelector:
  {{- toYaml .podSelector | nindent 2 }}
{{- end }}
{{- end }}
