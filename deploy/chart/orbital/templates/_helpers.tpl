{{/* The release's object names: the release name, with "orbital" added when it lacks it. */}}
{{- define "orbital.fullname" -}}
{{- if contains "orbital" .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-orbital" .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* The mode, checked: host, member or agent. */}}
{{- define "orbital.mode" -}}
{{- if not (has .Values.mode (list "host" "member" "agent")) -}}
{{- fail (printf "mode must be host, member or agent, not %q" (toString .Values.mode)) -}}
{{- end -}}
{{- .Values.mode -}}
{{- end -}}

{{/* Whether this release runs a console (host or member mode). */}}
{{- define "orbital.console" -}}
{{- if ne (include "orbital.mode" .) "agent" -}}true{{- end -}}
{{- end -}}

{{/* Labels every object carries. */}}
{{- define "orbital.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "orbital.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* The labels that select this release's pods. */}}
{{- define "orbital.selectorLabels" -}}
app.kubernetes.io/name: orbital
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: {{ include "orbital.mode" . }}
{{- end -}}

{{/* The service account's name. */}}
{{- define "orbital.serviceAccountName" -}}
{{- default (include "orbital.fullname" .) .Values.serviceAccount.name -}}
{{- end -}}

{{/* The Secret and key of the first admin's password. */}}
{{- define "orbital.adminSecret" -}}
{{- default (printf "%s-admin" (include "orbital.fullname" .)) .Values.admin.existingSecret -}}
{{- end -}}

{{/* The Secret of the agent's join token. */}}
{{- define "orbital.agentSecret" -}}
{{- default (printf "%s-agent" (include "orbital.fullname" .)) .Values.agent.existingSecret -}}
{{- end -}}
