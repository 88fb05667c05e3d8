{{/*
The long-running components (gateway, backend, ui): each file under gateway/, backend/ and ui/
renders one object through these defines, called with (dict "root" $ "component" <name>).
*/}}

{{/* Fails with the spec's message for combinations the schema cannot express. */}}
{{- define "__CHART__.validateComponent" -}}
{{- $c := .c -}}
{{- range $key, $_ := $c.podLabels -}}
{{- if has $key (list "app.kubernetes.io/name" "app.kubernetes.io/instance" "app.kubernetes.io/component") -}}
{{- fail (printf "%s.podLabels cannot set %s: it is a selector label" $.component $key) -}}
{{- end -}}
{{- end -}}
{{- $hpa := $c.hpa -}}
{{- if $hpa.enabled -}}
{{- if gt (int $hpa.minReplicas) (int $hpa.maxReplicas) -}}
{{- fail (printf "%s.hpa.minReplicas (%d) must not exceed %s.hpa.maxReplicas (%d)" $.component (int $hpa.minReplicas) $.component (int $hpa.maxReplicas)) -}}
{{- end -}}
{{- $cpu := include "__CHART__.isSet" $hpa.targetCPUUtilizationPercentage -}}
{{- $memory := include "__CHART__.isSet" $hpa.targetMemoryUtilizationPercentage -}}
{{- if not (or $cpu $memory) -}}
{{- fail (printf "%s.hpa needs targetCPUUtilizationPercentage or targetMemoryUtilizationPercentage" $.component) -}}
{{- end -}}
{{- range $metric, $on := dict "cpu" $cpu "memory" $memory -}}
{{- if and $on (not (or (hasKey ($c.resources.requests | default dict) $metric) (hasKey ($c.resources.limits | default dict) $metric))) -}}
{{- fail (printf "%s.hpa scales on %s utilisation but %s.resources.requests.%s is not set" $.component $metric $.component $metric) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- if $c.pdb.enabled -}}
{{- if and (include "__CHART__.isSet" $c.pdb.minAvailable) (include "__CHART__.isSet" $c.pdb.maxUnavailable) -}}
{{- fail (printf "%s.pdb: set minAvailable or maxUnavailable, not both" $.component) -}}
{{- end -}}
{{- end -}}
{{- end }}

{{/*
Issue 13.1: a user's sidecar or init container runs as written, so under podSecurity restricted
it needs its own securityContext (the compiler checks its keys; here, for --set, its presence).
Called with (dict "v" $v "spec" <component or job values> "component" <name>).
*/}}
{{- define "__CHART__.validatePodExtras" -}}
{{- $root := . -}}
{{- if eq (toString .v.podSecurity) "restricted" -}}
{{- range $field := list "extraInitContainers" "extraContainers" -}}
{{- range (index $root.spec $field | default list) -}}
{{- if not .securityContext -}}
{{- fail (printf "%s.%s %s: podSecurity restricted needs an explicit securityContext (allowPrivilegeEscalation: false, capabilities.drop: [ALL], and runAsNonRoot and a RuntimeDefault seccomp profile unless the pod sets them)" $root.component $field (toString .name)) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end }}

{{/*
Issue 13.1: the user's volume names may not repeat, nor take the name of one litectl adds (the
API server refuses the pod). Called with (dict "spec" <values> "component" <name> "own" <names>).
*/}}
{{- define "__CHART__.validateVolumes" -}}
{{- $root := . -}}
{{- $seen := list -}}
{{- range (.spec.volumes | default list) -}}
{{- $name := toString .name -}}
{{- if has $name $root.own -}}
{{- fail (printf "volume name %s is litectl's own volume of %s: choose another name" $name $root.component) -}}
{{- else if has $name $seen -}}
{{- fail (printf "volume name %s is used twice" $name) -}}
{{- end -}}
{{- $seen = append $seen $name -}}
{{- end -}}
{{- end }}

{{- define "__CHART__.deployment" -}}
{{- $root := .root -}}
{{- $component := .component -}}
{{- $v := include "__CHART__.values" $root | fromJson -}}
{{- $c := index $v $component -}}
{{- if $c.enabled -}}
{{- $ctx := dict "root" $root "v" $v "component" $component "c" $c "spec" $c -}}
{{- include "__CHART__.validateComponent" $ctx -}}
{{- include "__CHART__.validatePodExtras" $ctx -}}
{{- $name := printf "%s-%s" (include "__CHART__.fullname" $root) $component -}}
{{- $image := include "__CHART__.image" (dict "v" $v "own" $c.image) | fromJson -}}
{{- $contexts := include "__CHART__.securityContexts" $ctx | fromJson -}}
{{- $writable := include "__CHART__.writableDirs" (dict "contexts" $contexts) | fromJsonArray -}}
{{- $config := ne $component "ui" -}}
{{- $own := list -}}
{{- if $config }}{{ $own = append $own (include "__CHART__.configVolume" .) }}{{ end -}}
{{- range $writable }}{{ $own = append $own .name }}{{ end -}}
{{- include "__CHART__.validateVolumes" (dict "spec" $c "component" $component "own" $own) -}}
{{- $annotations := dict -}}
{{- range $key, $value := $c.podAnnotations }}{{ $_ := set $annotations $key $value }}{{ end -}}
{{- if $config -}}
{{- $_ := set $annotations "checksum/config" (include "__CHART__.configText" (dict "v" $v "root" $root) | sha256sum) -}}
{{- end -}}
{{- $probes := dict -}}
{{- range $key := list "livenessProbe" "readinessProbe" "startupProbe" -}}
{{- with index $c $key }}{{ $_ := set $probes $key . }}{{ end -}}
{{- end -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  {{- include "__CHART__.metadata" (dict "root" $root "v" $v "name" $name "component" $component "annotations" $c.deploymentAnnotations "extra" $c.deploymentLabels) | nindent 2 }}
spec:
  {{- if not $c.hpa.enabled }}
  replicas: {{ int $c.replicas }}
  {{- end }}
  selector:
    matchLabels:
      {{- include "__CHART__.selectorLabels" $ctx | nindent 6 }}
  {{- with $c.strategy }}
  strategy:
    {{- include "__CHART__.yaml" . | nindent 4 }}
  {{- end }}
  {{- if include "__CHART__.isSet" $c.minReadySeconds }}
  minReadySeconds: {{ int $c.minReadySeconds }}
  {{- end }}
  template:
    metadata:
      {{- with $annotations }}
      annotations:
        {{- include "__CHART__.yaml" . | nindent 8 }}
      {{- end }}
      labels:
        {{- include "__CHART__.labels" (dict "root" $root "v" $v "component" $component "extra" $c.podLabels) | nindent 8 }}
    spec:
      {{- include "__CHART__.podSpec" (dict "root" $root "v" $v "spec" $c "image" $image "contexts" $contexts "server" $config "spread" $c.topologySpreadConstraints) | trim | nindent 6 }}
      containers:
        - name: {{ $component }}
          image: {{ $image.reference | quote }}
          imagePullPolicy: {{ $image.pullPolicy | quote }}
          args:
            {{- include "__CHART__.yaml" (include "__CHART__.args" $component | fromJsonArray) | nindent 12 }}
          ports:
            - name: http
              containerPort: {{ include "__CHART__.port" $component }}
              protocol: TCP
          env:
            {{- include "__CHART__.yaml" (include "__CHART__.env" $ctx | fromJsonArray) | nindent 12 }}
          {{- if or $c.envConfigMaps $c.envSecrets }}
          envFrom:
            {{- range $c.envConfigMaps }}
            - configMapRef:
                name: {{ . | quote }}
            {{- end }}
            {{- range $c.envSecrets }}
            - secretRef:
                name: {{ . | quote }}
            {{- end }}
          {{- end }}
          {{- if or $config $writable $c.volumeMounts }}
          volumeMounts:
            {{- if $config }}
            - name: {{ include "__CHART__.configVolume" . }}
              mountPath: {{ include "__CHART__.configMountPath" . }}
              subPath: {{ include "__CHART__.configKey" . }}
            {{- end }}
            {{- range $writable }}
            - name: {{ .name }}
              mountPath: {{ .path }}
            {{- end }}
            {{- with $c.volumeMounts }}
            {{- include "__CHART__.yaml" . | nindent 12 }}
            {{- end }}
          {{- end }}
          {{- with $probes }}
          {{- include "__CHART__.yaml" . | nindent 10 }}
          {{- end }}
          {{- with $c.lifecycle }}
          lifecycle:
            {{- include "__CHART__.yaml" . | nindent 12 }}
          {{- end }}
          {{- with $c.resources }}
          resources:
            {{- include "__CHART__.yaml" . | nindent 12 }}
          {{- end }}
          {{- with $contexts.container }}
          securityContext:
            {{- include "__CHART__.yaml" . | nindent 12 }}
          {{- end }}
        {{- with $c.extraContainers }}
        {{- include "__CHART__.yaml" . | nindent 8 }}
        {{- end }}
      {{- if or $config $writable $c.volumes }}
      volumes:
        {{- if $config }}
        - name: {{ include "__CHART__.configVolume" . }}
          configMap:
            name: {{ printf "%s-gateway-config" (include "__CHART__.fullname" $root) | quote }}
        {{- end }}
        {{- range $writable }}
        - name: {{ .name }}
          emptyDir: {}
        {{- end }}
        {{- with $c.volumes }}
        {{- include "__CHART__.yaml" . | nindent 8 }}
        {{- end }}
      {{- end }}
{{- end }}
{{- end }}

{{- define "__CHART__.service" -}}
{{- $root := .root -}}
{{- $component := .component -}}
{{- $v := include "__CHART__.values" $root | fromJson -}}
{{- $c := index $v $component -}}
{{- if $c.enabled -}}
{{- $ctx := dict "root" $root "v" $v "component" $component -}}
{{- if and $c.service.loadBalancerClass (ne (toString $c.service.type) "LoadBalancer") -}}
{{- fail (printf "%s.service.loadBalancerClass needs service.type LoadBalancer (got %s): Kubernetes refuses it on other types" $component (toString $c.service.type)) -}}
{{- end -}}
apiVersion: v1
kind: Service
metadata:
  {{- include "__CHART__.metadata" (dict "root" $root "v" $v "name" (printf "%s-%s" (include "__CHART__.fullname" $root) $component) "component" $component "annotations" $c.service.annotations) | nindent 2 }}
spec:
  type: {{ $c.service.type | quote }}
  {{- with $c.service.loadBalancerClass }}
  loadBalancerClass: {{ . | quote }}
  {{- end }}
  ports:
    - name: http
      port: {{ int $c.service.port }}
      targetPort: http
      protocol: TCP
  selector:
    {{- include "__CHART__.selectorLabels" $ctx | nindent 4 }}
{{- end }}
{{- end }}

{{- define "__CHART__.hpa" -}}
{{- $root := .root -}}
{{- $component := .component -}}
{{- $v := include "__CHART__.values" $root | fromJson -}}
{{- $c := index $v $component -}}
{{- if and $c.enabled $c.hpa.enabled -}}
{{- include "__CHART__.validateComponent" (dict "component" $component "c" $c) -}}
{{- $name := printf "%s-%s" (include "__CHART__.fullname" $root) $component -}}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  {{- include "__CHART__.metadata" (dict "root" $root "v" $v "name" $name "component" $component) | nindent 2 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ $name | quote }}
  minReplicas: {{ int $c.hpa.minReplicas }}
  maxReplicas: {{ int $c.hpa.maxReplicas }}
  metrics:
    {{- range $metric, $key := dict "cpu" "targetCPUUtilizationPercentage" "memory" "targetMemoryUtilizationPercentage" }}
    {{- with index $c.hpa $key }}
    - type: Resource
      resource:
        name: {{ $metric }}
        target:
          type: Utilization
          averageUtilization: {{ int . }}
    {{- end }}
    {{- end }}
  {{- with $c.hpa.behavior }}
  behavior:
    {{- include "__CHART__.yaml" . | nindent 4 }}
  {{- end }}
{{- end }}
{{- end }}

{{- define "__CHART__.pdb" -}}
{{- $root := .root -}}
{{- $component := .component -}}
{{- $v := include "__CHART__.values" $root | fromJson -}}
{{- $c := index $v $component -}}
{{- if and $c.enabled $c.pdb.enabled -}}
{{- include "__CHART__.validateComponent" (dict "component" $component "c" $c) -}}
{{- $ctx := dict "root" $root "v" $v "component" $component -}}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  {{- include "__CHART__.metadata" (dict "root" $root "v" $v "name" (printf "%s-%s" (include "__CHART__.fullname" $root) $component) "component" $component) | nindent 2 }}
spec:
  {{- if include "__CHART__.isSet" $c.pdb.minAvailable }}
  minAvailable: {{ include "__CHART__.intOrPercent" $c.pdb.minAvailable }}
  {{- else if include "__CHART__.isSet" $c.pdb.maxUnavailable }}
  maxUnavailable: {{ include "__CHART__.intOrPercent" $c.pdb.maxUnavailable }}
  {{- else }}
  maxUnavailable: 1
  {{- end }}
  selector:
    matchLabels:
      {{- include "__CHART__.selectorLabels" $ctx | nindent 6 }}
{{- end }}
{{- end }}

{{/* An int-or-percent value: numbers as integers, percentages as quoted strings. */}}
{{- define "__CHART__.intOrPercent" -}}
{{- if kindIs "string" . }}{{ . | quote }}{{ else }}{{ int . }}{{ end -}}
{{- end }}
