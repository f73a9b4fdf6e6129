{{/* The parent's definition replaces the library's: files nearer the top are parsed later. */}}
{{- define "common.names.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" | printf "%s-app" -}}
{{- end -}}
