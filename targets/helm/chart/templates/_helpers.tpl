{{/*
Shared definitions. Every value reaches a manifest through toYaml, toJson or quote, never through
tpl: LiteLLM configs and env values legitimately contain "{{ }}" and must come out literally.
The route table, constants and model defaults come from _generated.tpl (written by litectl).
*/}}

{{/* Object name prefix: fullnameOverride (litectl pins it to metadata.name), else <release>-<chart>. */}}
{{- define "__CHART__.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | toString | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end }}

{{/*
The values with the spec's defaults filled in where a key is missing (a user may remove any key
with null), as JSON. Keys that are present, even false/0/"", are kept: sprig's merge would
overwrite those.
*/}}
{{- define "__CHART__.values" -}}
{{- $defaults := include "__CHART__.defaults" . | fromJson -}}
{{- $values := deepCopy .Values -}}
{{- include "__CHART__.fillDefaults" (dict "value" $values "defaults" $defaults.document) -}}
{{- toJson $values -}}
{{- end }}

{{/*
Sets missing keys of .value (a map, changed in place) from a defaults tree written by litectl:
a missing section gets its whole default ("litectl.whole"), a missing Kubernetes shape or
free-form map its default as is ("litectl.leaf"); inside a present section only the keys the
tree lists (the non-nullable ones) are filled in, recursively.
*/}}
{{- define "__CHART__.fillDefaults" -}}
{{- $out := .value -}}
{{- range $key, $default := .defaults -}}
{{- if eq $key "litectl.whole" -}}
{{- else if not (hasKey $out $key) -}}
{{- if and (kindIs "map" $default) (hasKey $default "litectl.leaf") -}}
{{- $_ := set $out $key (deepCopy (get $default "litectl.leaf")) -}}
{{- else if and (kindIs "map" $default) (hasKey $default "litectl.whole") -}}
{{- $_ := set $out $key (deepCopy (get $default "litectl.whole")) -}}
{{- else if not (kindIs "map" $default) -}}
{{- $_ := set $out $key (deepCopy $default) -}}
{{- end -}}
{{- else if and (kindIs "map" $default) (not (hasKey $default "litectl.leaf")) (kindIs "map" (index $out $key)) -}}
{{- include "__CHART__.fillDefaults" (dict "value" (index $out $key) "defaults" $default) -}}
{{- end -}}
{{- end -}}
{{- end }}

{{/* A nullable object of the spec (e.g. database.reader) with its own defaults, or nothing. */}}
{{- define "__CHART__.object" -}}
{{- if kindIs "map" .value -}}
{{- $defaults := include "__CHART__.defaults" .root | fromJson -}}
{{- $value := deepCopy .value -}}
{{- include "__CHART__.fillDefaults" (dict "value" $value "defaults" (index $defaults .class)) -}}
{{- toJson $value -}}
{{- else -}}
null
{{- end -}}
{{- end }}

{{/* True (non-empty) when a value is set, i.e. present and not null. */}}
{{- define "__CHART__.isSet" -}}
{{- if not (kindIs "invalid" .) }}true{{ end -}}
{{- end }}

{{/* Selector labels: stable ones only, selectors are immutable. */}}
{{- define "__CHART__.selectorLabels" -}}
app.kubernetes.io/name: {{ include "__CHART__.appName" . | quote }}
app.kubernetes.io/instance: {{ include "__CHART__.fullname" .root | quote }}
app.kubernetes.io/component: {{ .component | quote }}
{{- end }}

{{/* Labels of every object: metadata.labels (then .extra), then ours, which win. */}}
{{- define "__CHART__.labels" -}}
{{- $root := .root -}}
{{- $labels := dict -}}
{{- range $key, $value := .v.metadata.labels }}{{ $_ := set $labels $key $value }}{{ end -}}
{{- range $key, $value := .extra }}{{ $_ := set $labels $key $value }}{{ end -}}
{{- $_ := set $labels "app.kubernetes.io/name" (include "__CHART__.appName" .) -}}
{{- $_ := set $labels "app.kubernetes.io/instance" (include "__CHART__.fullname" $root) -}}
{{- with .component }}{{ $_ := set $labels "app.kubernetes.io/component" . }}{{ end -}}
{{- $_ := set $labels "app.kubernetes.io/part-of" (include "__CHART__.appName" .) -}}
{{- $_ := set $labels "app.kubernetes.io/managed-by" $root.Release.Service -}}
{{- $_ := set $labels "helm.sh/chart" (printf "%s-%s" $root.Chart.Name $root.Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-") -}}
{{- toYaml $labels -}}
{{- end }}

{{/* Object metadata: name, namespace (metadata.namespace, when set), labels, annotations. */}}
{{- define "__CHART__.metadata" -}}
name: {{ .name | quote }}
{{- with .v.metadata.namespace }}
namespace: {{ . | quote }}
{{- end }}
labels:
  {{- include "__CHART__.labels" . | nindent 2 }}
{{- $annotations := dict -}}
{{- range $key, $value := .v.metadata.annotations }}{{ $_ := set $annotations $key $value }}{{ end -}}
{{- range $key, $value := .annotations }}{{ $_ := set $annotations $key $value }}{{ end -}}
{{- with $annotations }}
annotations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{/* A component's image (each unset field inherits the top-level image), as JSON. */}}
{{- define "__CHART__.image" -}}
{{- $top := .v.image -}}
{{- $own := .own | default dict -}}
{{- $repository := required "image.repository is required" ($own.repository | default $top.repository) -}}
{{- $tag := required "image.tag is required" ($own.tag | default $top.tag) -}}
{{- $digest := $top.digest -}}
{{- if include "__CHART__.isSet" $own.digest }}{{ $digest = $own.digest }}{{ end -}}
{{- $secrets := $top.pullSecrets | default list -}}
{{- if kindIs "slice" $own.pullSecrets }}{{ $secrets = $own.pullSecrets }}{{ end -}}
{{- $reference := printf "%s:%s" (toString $repository) (toString $tag) -}}
{{- if $digest }}{{ $reference = printf "%s@%s" $reference $digest }}{{ end -}}
{{- toJson (dict "reference" $reference "pullPolicy" ($own.pullPolicy | default $top.pullPolicy) "pullSecrets" $secrets) -}}
{{- end }}

{{/*
Pod and container securityContext: the podSecurity level's, with the given keys winning, merged
key by key as the spec merges (a given capability keeps the level's drop: [ALL]; null removes a
level key), as JSON {pod, container}.
*/}}
{{- define "__CHART__.securityContexts" -}}
{{- $levels := include "__CHART__.podSecurityLevels" . | fromJson -}}
{{- $level := required (printf "podSecurity must be one of %s" (keys $levels | sortAlpha | join ", ")) (index $levels (toString .v.podSecurity)) -}}
{{- $pod := include "__CHART__.deepMerge" (dict "base" $level.pod "overlay" .spec.podSecurityContext) | fromJson -}}
{{- $container := include "__CHART__.deepMerge" (dict "base" $level.container "overlay" .spec.securityContext) | fromJson -}}
{{- toJson (dict "pod" $pod "container" $container) -}}
{{- end }}

{{/* The spec's merge (SPEC.md 10): mappings merge key by key, lists and scalars replace, null removes. */}}
{{- define "__CHART__.deepMerge" -}}
{{- $out := deepCopy (.base | default dict) -}}
{{- range $key, $value := .overlay -}}
{{- if kindIs "invalid" $value -}}
{{- $_ := unset $out $key -}}
{{- else if and (kindIs "map" $value) (kindIs "map" (index $out $key)) -}}
{{- $_ := set $out $key (include "__CHART__.deepMerge" (dict "base" (index $out $key) "overlay" $value) | fromJson) -}}
{{- else -}}
{{- $_ := set $out $key $value -}}
{{- end -}}
{{- end -}}
{{- toJson $out -}}
{{- end }}

{{/* The ServiceAccount gateway, backend and the migrations Job run as. */}}
{{- define "__CHART__.serviceAccountName" -}}
{{- $sa := .v.serviceAccount -}}
{{- if $sa.name }}{{ $sa.name }}{{ else if $sa.create }}{{ include "__CHART__.fullname" .root }}{{ else }}default{{ end -}}
{{- end }}

{{/*
Hook annotations of the ServiceAccount: a pre-install hook runs before any release object
exists, so when the migrations Job (which runs as this ServiceAccount) is a hook, the
ServiceAccount is one too, one weight earlier.
*/}}
{{- define "__CHART__.serviceAccountHooks" -}}
{{- $job := .v.migrationJob -}}
{{- $out := dict -}}
{{- if and .v.serviceAccount.create $job.enabled -}}
{{- if $job.hooks.helm.enabled -}}
{{- $out = merge $out (dict "helm.sh/hook" "pre-install,pre-upgrade" "helm.sh/hook-weight" (printf "%d" (sub (int $job.hooks.helm.weight) 1)) "helm.sh/hook-delete-policy" "before-hook-creation") -}}
{{- end -}}
{{- if $job.hooks.argocd.enabled -}}
{{- $out = merge $out (dict "argocd.argoproj.io/hook" "PreSync" "argocd.argoproj.io/hook-delete-policy" "BeforeHookCreation") -}}
{{- end -}}
{{- end -}}
{{- toJson $out -}}
{{- end }}

{{/*
Pod-level fields shared by Deployments and the Job. Expects root, v, spec (the component's
values), image (from __CHART__.image), contexts (from __CHART__.securityContexts), server (runs
as the ServiceAccount) and optionally spread.
*/}}
{{- define "__CHART__.podSpec" -}}
{{- if .server }}
serviceAccountName: {{ include "__CHART__.serviceAccountName" . | quote }}
automountServiceAccountToken: {{ .v.serviceAccount.automount }}
{{- else }}
serviceAccountName: default
automountServiceAccountToken: false
{{- end }}
{{- with .image.pullSecrets }}
imagePullSecrets:
  {{- range . }}
  - name: {{ . | quote }}
  {{- end }}
{{- end }}
{{- with .contexts.pod }}
securityContext:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .spec.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .spec.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .spec.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .spread }}
topologySpreadConstraints:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{/* emptyDir volumes (and their mounts) for the directories a read-only root filesystem needs. */}}
{{- define "__CHART__.writableDirs" -}}
{{- if .contexts.container.readOnlyRootFilesystem -}}
{{- include "__CHART__.readOnlyWritableDirs" . -}}
{{- else -}}
[]
{{- end -}}
{{- end }}

{{/* The proxy config text of the ConfigMap (toYaml plus a final newline: the checksum covers it). */}}
{{- define "__CHART__.configText" -}}
{{- printf "%s\n" (toYaml .v.gateway.config.proxy_config) -}}
{{- end }}

{{/* A user's extraEnv item as litectl maps it (keyRefs keep name and key only). */}}
{{- define "__CHART__.userEnv" -}}
{{- $out := list -}}
{{- range . -}}
{{- $name := required "every extraEnv item needs a name" .name -}}
{{- $source := .valueFrom -}}
{{- if not $source -}}
{{- $out = append $out (dict "name" $name "value" (toString (.value | default ""))) -}}
{{- else if hasKey $source "secretKeyRef" -}}
{{- $out = append $out (dict "name" $name "valueFrom" (dict "secretKeyRef" (dict "name" $source.secretKeyRef.name "key" $source.secretKeyRef.key))) -}}
{{- else if hasKey $source "configMapKeyRef" -}}
{{- $out = append $out (dict "name" $name "valueFrom" (dict "configMapKeyRef" (dict "name" $source.configMapKeyRef.name "key" $source.configMapKeyRef.key))) -}}
{{- else -}}
{{- $out = append $out (dict "name" $name "valueFrom" $source) -}}
{{- end -}}
{{- end -}}
{{- toJson $out -}}
{{- end }}
