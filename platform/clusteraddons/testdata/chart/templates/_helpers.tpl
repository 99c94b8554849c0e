{{- define "top.fullname" -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 8 | trimSuffix "-" -}}
{{- end -}}
{{- define "top.image" -}}
{{- if contains "/" .name }}{{ .name }}{{ else }}ghcr.io/x/{{ .name }}:{{ .tag }}{{ end -}}
{{- end -}}
