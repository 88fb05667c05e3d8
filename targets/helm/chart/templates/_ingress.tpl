{{/*
The ingress route table: the built-in ui and gateway paths (generated from litectl's one route
table into _generated.tpl, with each controller's quirks applied), then ingress.extraPaths, then
the backend catch-all. Routes to a disabled component are left out. Returned as JSON.
*/}}
{{- define "__CHART__.routes" -}}
{{- $v := .v -}}
{{- $ing := $v.ingress -}}
{{- $controller := toString $ing.controller -}}
{{- $controllers := include "__CHART__.controllers" . | fromJsonArray -}}
{{- if not (has $controller $controllers) -}}
{{- fail (printf "ingress.controller must be one of %s, not %q" (join ", " $controllers) $controller) -}}
{{- end -}}
{{- $builtin := include (printf "__CHART__.routes.%s" $controller) . | fromJsonArray -}}
{{- $taken := dict -}}
{{- range $builtin }}{{ $_ := set $taken (printf "%s %s" .path .pathType) true }}{{ end -}}
{{- $extra := list -}}
{{- range $index, $item := $ing.extraPaths -}}
{{- $p := include "__CHART__.object" (dict "root" $.root "value" $item "class" "ExtraPath") | fromJson -}}
{{- $path := required (printf "ingress.extraPaths[%d].path is required" $index) $p.path | toString -}}
{{- $type := $p.pathType -}}
{{- if and (eq $controller "nginx") (contains "." $path) }}{{ $type = "ImplementationSpecific" }}{{ end -}}
{{- if eq $path "/" -}}
{{- fail (printf "ingress.extraPaths[%d]: an extra path may not be '/': it is the backend catch-all" $index) -}}
{{- end -}}
{{- $key := printf "%s %s" $path $type -}}
{{- if hasKey $taken $key -}}
{{- fail (printf "ingress.extraPaths[%d]: extra path %s (%s) repeats a path that is already routed" $index $path $type) -}}
{{- end -}}
{{- $_ := set $taken $key true -}}
{{- if and $ing.enabled (not (index $v $p.service).enabled) -}}
{{- fail (printf "ingress.extraPaths[%d]: extra path routes to %s, which is disabled" $index $p.service) -}}
{{- end -}}
{{- $extra = append $extra (dict "path" $path "pathType" $type "component" $p.service) -}}
{{- end -}}
{{- $routes := list -}}
{{- range concat $builtin $extra (include "__CHART__.routes.catchAll" . | fromJsonArray) -}}
{{- if (index $v .component).enabled }}{{ $routes = append $routes . }}{{ end -}}
{{- end -}}
{{- toJson $routes -}}
{{- end }}
