{{/*
Shared definitions. Every value reaches a manifest through __CHART__.yaml (strings quoted) or
toJson, never through tpl: LiteLLM configs and env values legitimately contain "{{ }}" and must
come out literally. The route table, constants and model defaults come from _generated.tpl
(written by litectl).
*/}}

{{/*
YAML for a manifest, block style, every string double-quoted: unlike toYaml, whose plain
scalars ("<<", "=", some dates) YAML 1.1 readers take for something else, every reader reads
back exactly the value.
*/}}
{{- define "__CHART__.yaml" -}}
{{- if kindIs "map" . -}}
{{- if not . }}{}{{ else -}}
{{- $lines := list -}}
{{- range $key, $value := . -}}
{{- $name := include "__CHART__.yamlKey" $key -}}
{{- if and (or (kindIs "map" $value) (kindIs "slice" $value)) $value -}}
{{- $lines = append $lines (printf "%s:\n%s" $name (include "__CHART__.yaml" $value | indent 2)) -}}
{{- else -}}
{{- $lines = append $lines (printf "%s: %s" $name (include "__CHART__.yaml" $value)) -}}
{{- end -}}
{{- end -}}
{{- join "\n" $lines -}}
{{- end -}}
{{- else if kindIs "slice" . -}}
{{- if not . }}[]{{ else -}}
{{- $lines := list -}}
{{- range . -}}
{{- $lines = append $lines (printf "- %s" (include "__CHART__.yaml" . | indent 2 | trimPrefix "  ")) -}}
{{- end -}}
{{- join "\n" $lines -}}
{{- end -}}
{{- else if kindIs "string" . -}}
{{- quote . -}}
{{- else -}}
{{- toJson . -}}
{{- end -}}
{{- end }}

{{/* A mapping key: plain when every YAML reader reads it as this string, else quoted. */}}
{{- define "__CHART__.yamlKey" -}}
{{- if and (regexMatch "^[A-Za-z_][A-Za-z0-9_./-]*$" .) (not (has (lower .) (list "y" "n" "yes" "no" "on" "off" "true" "false" "null"))) -}}
{{- . -}}
{{- else -}}
{{- quote . -}}
{{- end -}}
{{- end }}

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
{{- /* Without gateway.config.proxy_config (thousands of models): only configText reads it,
from .Values; every template parses this JSON, so the config would be copied and parsed ten
times a render. fillDefaults puts {} in its place. */ -}}
{{- $values := omit .Values "gateway" | deepCopy -}}
{{- $gateway := .Values.gateway -}}
{{- if kindIs "map" $gateway -}}
{{- $copy := omit $gateway "config" | deepCopy -}}
{{- if kindIs "map" $gateway.config -}}
{{- $_ := set $copy "config" (omit $gateway.config "proxy_config" | deepCopy) -}}
{{- else if hasKey $gateway "config" -}}
{{- $_ := set $copy "config" $gateway.config -}}
{{- end -}}
{{- $_ := set $values "gateway" $copy -}}
{{- else if hasKey .Values "gateway" -}}
{{- $_ := set $values "gateway" $gateway -}}
{{- end -}}
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
{{- include "__CHART__.yaml" $labels -}}
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
  {{- include "__CHART__.yaml" . | nindent 2 }}
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
  {{- include "__CHART__.yaml" . | nindent 2 }}
{{- end }}
{{- with .spec.nodeSelector }}
nodeSelector:
  {{- include "__CHART__.yaml" . | nindent 2 }}
{{- end }}
{{- with .spec.affinity }}
affinity:
  {{- include "__CHART__.yaml" . | nindent 2 }}
{{- end }}
{{- with .spec.tolerations }}
tolerations:
  {{- include "__CHART__.yaml" . | nindent 2 }}
{{- end }}
{{- with .spread }}
topologySpreadConstraints:
  {{- include "__CHART__.yaml" . | nindent 2 }}
{{- end }}
{{- with .spec.priorityClassName }}
priorityClassName: {{ . | quote }}
{{- end }}
{{- if include "__CHART__.isSet" .spec.terminationGracePeriodSeconds }}
terminationGracePeriodSeconds: {{ int .spec.terminationGracePeriodSeconds }}
{{- end }}
{{- with .spec.extraInitContainers }}
initContainers:
  {{- include "__CHART__.yaml" . | nindent 2 }}
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

{{/*
The proxy config text of the ConfigMap (the checksum covers exactly it). For the compiled
configs, litectl's precompiled text, which also keeps what Helm's values cannot (null entries,
10.0 as a float). For any other: toYaml, as LiteLLM's users know it, unless a string in it is one
that toYaml writes plain but LiteLLM's YAML 1.1 reader takes for something else ("<<", "=",
dates): then indented JSON, which every YAML reader reads as written. Both ending in one newline.
*/}}
{{- define "__CHART__.configText" -}}
{{- $raw := dict -}}
{{- with .root.Values.gateway }}{{ with .config }}{{ with .proxy_config }}{{ $raw = . }}{{ end }}{{ end }}{{ end -}}
{{- /* The compiled configs' texts (after their header line), by the sha256 of toPrettyJson of
the config as Helm holds it: values that still hold a compiled config (values.yaml, a
values-<env>.yaml) get its text without walking it; any other config (--set, -f) is written
here, below, to the same text. */ -}}
{{- $compiled := .root.Files.Get "files/proxy-config/index.json" | fromJson -}}
{{- $file := get ($compiled.configs | default dict) (toPrettyJson $raw | sha256sum) -}}
{{- if $file -}}
{{- (splitn "\n" 2 (.root.Files.Get $file))._1 -}}
{{- else -}}
{{- $config := include "__CHART__.withoutNulls" $raw | fromJson -}}
{{- $check := dict "other" (include "__CHART__.yaml11Pattern" .) "timestamp" (include "__CHART__.yaml11TimestampPattern" .) "layouts" (include "__CHART__.goTimestampLayouts" . | fromJsonArray) -}}
{{- if include "__CHART__.yaml11Unsafe" (dict "value" $config "check" $check) -}}
{{- printf "%s\n" (regexReplaceAll (include "__CHART__.jsonDotlessExponent" .) (toPrettyJson $config) "${1}.0${2}") -}}
{{- else -}}
{{- printf "%s\n" (toYaml $config) -}}
{{- end -}}
{{- end -}}
{{- end }}

{{/*
The proxy config without null-valued mapping entries (reached through mappings): Helm drops
those from a chart's default values anyway, so every install gets the same text.
*/}}
{{- define "__CHART__.withoutNulls" -}}
{{- $out := dict -}}
{{- range $key, $value := . -}}
{{- if kindIs "map" $value -}}
{{- $_ := set $out $key (include "__CHART__.withoutNulls" $value | fromJson) -}}
{{- else if not (kindIs "invalid" $value) -}}
{{- $_ := set $out $key $value -}}
{{- end -}}
{{- end -}}
{{- toJson $out -}}
{{- end }}

{{/* Non-empty when a key or string anywhere in .value is one toYaml would write misleadingly. */}}
{{- define "__CHART__.yaml11Unsafe" -}}
{{- $check := .check -}}
{{- if kindIs "map" .value -}}
{{- range $key, $value := .value -}}
{{- include "__CHART__.yaml11Misread" (dict "text" $key "check" $check) -}}
{{- include "__CHART__.yaml11Unsafe" (dict "value" $value "check" $check) -}}
{{- end -}}
{{- else if kindIs "slice" .value -}}
{{- range .value }}{{ include "__CHART__.yaml11Unsafe" (dict "value" . "check" $check) }}{{ end -}}
{{- else if kindIs "string" .value -}}
{{- include "__CHART__.yaml11Misread" (dict "text" .value "check" $check) -}}
{{- else if kindIs "float64" .value -}}
{{- /* a number toYaml writes with an exponent but no dot (2e-06): a string to YAML 1.1 */ -}}
{{- $text := toYaml .value -}}
{{- if and (contains "e" $text) (not (contains "." $text)) }}1{{ end -}}
{{- end -}}
{{- end }}

{{/*
"1" when YAML 1.1 reads the plain text as something else and go-yaml does not quote it, or when
it holds a Unicode line or paragraph separator (a line break to YAML 1.1, written raw by toYaml).
*/}}
{{- define "__CHART__.yaml11Misread" -}}
{{- $text := .text -}}
{{- if or (regexMatch .check.other $text) (contains "\u2028" $text) (contains "\u2029" $text) -}}
1
{{- else if regexMatch .check.timestamp $text -}}
{{- $quoted := false -}}
{{- range .check.layouts }}{{ if not (toDate . $text).IsZero }}{{ $quoted = true }}{{ end }}{{ end -}}
{{- if not $quoted }}1{{ end -}}
{{- end -}}
{{- end }}

{{/* A user's extraEnv item as litectl maps it (keyRefs keep name and key only). */}}
{{- define "__CHART__.userEnv" -}}
{{- $out := list -}}
{{- range . -}}
{{- $name := required "every extraEnv item needs a name" .name -}}
{{- $source := .valueFrom -}}
{{- if not $source -}}
{{- $out = append $out (dict "name" $name "value" (toString (.value | default ""))) -}}
{{- else if or (hasKey $source "secretKeyRef") (hasKey $source "configMapKeyRef") -}}
{{- $kind := ternary "secretKeyRef" "configMapKeyRef" (hasKey $source "secretKeyRef") -}}
{{- $ref := get $source $kind -}}
{{- $selector := dict "name" $ref.name "key" $ref.key -}}
{{- if $ref.optional -}}{{- $_ := set $selector "optional" true -}}{{- end -}}
{{- $out = append $out (dict "name" $name "valueFrom" (dict $kind $selector)) -}}
{{- else -}}
{{- $out = append $out (dict "name" $name "valueFrom" $source) -}}
{{- end -}}
{{- end -}}
{{- toJson $out -}}
{{- end }}
