{{- define "steward.name" -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "steward.labels" -}}
app.kubernetes.io/name: steward
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "steward.selector" -}}
app.kubernetes.io/name: steward
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* The worker's config file: the user's, plus the clusters, metrics, health and secret files. */}}
{{- define "steward.config" -}}
{{- $config := deepCopy .Values.config -}}
{{- $clusters := dict -}}
{{- range .Values.clusters -}}
{{- $cluster := dict "kubeconfig" (printf "/etc/steward/clusters/%s/kubeconfig" .name) -}}
{{- with .context }}{{- $_ := set $cluster "context" . -}}{{- end -}}
{{- with .guard }}{{- $_ := set $cluster "guard" . -}}{{- end -}}
{{- $_ := set $clusters .name $cluster -}}
{{- end -}}
{{- $_ := set $config "clusters" $clusters -}}
{{- $_ := set $config "metrics" (dict "port" (int .Values.metrics.port) "bindAddress" "0.0.0.0" "censusIntervalSeconds" (int .Values.metrics.censusIntervalSeconds)) -}}
{{- $_ := set $config "health" (dict "port" (int .Values.health.port) "bindAddress" "0.0.0.0") -}}
{{- if .Values.secrets.vaultAppRole -}}
{{- $vault := merge (dict "roleIdFile" "/etc/steward/vault/role-id" "secretIdFile" "/etc/steward/vault/secret-id") (default (dict) $config.vault) -}}
{{- $_ := set $config "vault" $vault -}}
{{- end -}}
{{- if .Values.secrets.netboxToken -}}
{{- $netbox := merge (dict "tokenFile" "/etc/steward/netbox/token") (default (dict) $config.netbox) -}}
{{- $_ := set $config "netbox" $netbox -}}
{{- end -}}
{{- toYaml $config -}}
{{- end -}}
