{{/* A blank definition does not replace the helper of the same name. */}}
{{- define "web.name" }}
{{ end }}
