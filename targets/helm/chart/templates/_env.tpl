{{/*
Environment wiring, in the order litectl's normaliser computes it (SPEC.md sections 3-5, 7).
Each define returns a JSON list of Kubernetes EnvVar objects; values are always strings.
*/}}

{{- /* litectl's own values are literal text: `$$` keeps Kubernetes from expanding `$(NAME)` in them. */ -}}
{{- define "__CHART__.env.literal" -}}
{{- toJson (dict "name" .name "value" (toString .value | replace "$" "$$")) -}}
{{- end }}

{{- define "__CHART__.env.secret" -}}
{{- toJson (dict "name" .name "valueFrom" (dict "secretKeyRef" (dict "name" .secret "key" .key))) -}}
{{- end }}

{{/* LITELLM_MASTER_KEY, PROXY_MASTER_KEY and LITELLM_SALT_KEY (gateway and backend only). */}}
{{- define "__CHART__.env.masterKey" -}}
{{- $mk := .v.masterKey -}}
{{- $name := required "masterKey.secretName is required" $mk.secretName -}}
{{- $key := required "masterKey.secretKey is required" $mk.secretKey -}}
{{- $env := list -}}
{{- range list "LITELLM_MASTER_KEY" "PROXY_MASTER_KEY" -}}
{{- $env = append $env (include "__CHART__.env.secret" (dict "name" . "secret" $name "key" $key) | fromJson) -}}
{{- end -}}
{{- with $mk.saltKey -}}
{{- $salt := dict "name" "LITELLM_SALT_KEY" "secret" (required "masterKey.saltKey.secretName is required" .secretName) "key" (required "masterKey.saltKey.secretKey is required" .secretKey) -}}
{{- $env = append $env (include "__CHART__.env.secret" $salt | fromJson) -}}
{{- end -}}
{{- toJson $env -}}
{{- end }}

{{/* Database (writer, reader), DISABLE_SCHEMA_UPDATE and Redis: gateway, backend and the Job. */}}
{{- define "__CHART__.env.server" -}}
{{- $root := .root -}}
{{- $db := .v.database -}}
{{- $env := list -}}
{{- $url := include "__CHART__.object" (dict "root" $root "value" $db.urlSecret "class" "DatabaseUrlSecret") | fromJson -}}
{{- if $url -}}
{{- /* A whole URL from the user's Secret, used by LiteLLM as given: exclusive with host wiring. */ -}}
{{- range $other := list "writer" "reader" -}}
{{- if include "__CHART__.isSet" (index $db $other) -}}
{{- fail (printf "database.urlSecret and database.%s are exclusive: the URL in the Secret is the whole connection; remove database.%s or urlSecret" $other $other) -}}
{{- end -}}
{{- end -}}
{{- $env = append $env (include "__CHART__.env.secret" (dict "name" "DATABASE_URL" "secret" (required "database.urlSecret.name is required" $url.name) "key" $url.key) | fromJson) -}}
{{- if include "__CHART__.isSet" $url.readReplicaKey -}}
{{- $env = append $env (include "__CHART__.env.secret" (dict "name" "DATABASE_URL_READ_REPLICA" "secret" $url.name "key" $url.readReplicaKey) | fromJson) -}}
{{- end -}}
{{- else -}}
{{- $w := include "__CHART__.object" (dict "root" $root "value" $db.writer "class" "DatabaseWriter") | fromJson -}}
{{- if not $w }}{{ fail "database needs writer (host, dbname, passwordSecret) or urlSecret" }}{{ end -}}
{{- $ws := $w.passwordSecret -}}
{{- $user := dict "secret" (required "database.writer.passwordSecret.name is required" $ws.name) "key" $ws.usernameKey -}}
{{- $env = list
  (include "__CHART__.env.literal" (dict "name" "DATABASE_HOST" "value" (required "database.writer.host is required" $w.host)) | fromJson)
  (include "__CHART__.env.literal" (dict "name" "DATABASE_PORT" "value" (printf "%d" (int $w.port))) | fromJson)
  (include "__CHART__.env.secret" (merge (dict "name" "DATABASE_USER") $user) | fromJson)
  (include "__CHART__.env.secret" (merge (dict "name" "DATABASE_USERNAME") $user) | fromJson)
  (include "__CHART__.env.literal" (dict "name" "DATABASE_NAME" "value" (required "database.writer.dbname is required" $w.dbname)) | fromJson)
-}}
{{- if include "__CHART__.isSet" $w.schema -}}
{{- $env = append $env (include "__CHART__.env.literal" (dict "name" "DATABASE_SCHEMA" "value" $w.schema) | fromJson) -}}
{{- end -}}
{{- if include "__CHART__.isSet" $w.sslMode -}}
{{- $env = append $env (include "__CHART__.env.literal" (dict "name" "DATABASE_SSLMODE" "value" $w.sslMode) | fromJson) -}}
{{- end -}}
{{- if include "__CHART__.isSet" $w.sslRootCert -}}
{{- $env = append $env (include "__CHART__.env.literal" (dict "name" "DATABASE_SSLROOTCERT" "value" $w.sslRootCert) | fromJson) -}}
{{- end -}}
{{- if and $w.useIAMAuth $w.useAzureEntraAuth -}}
{{- fail "database.writer.useIAMAuth and useAzureEntraAuth are exclusive: pick one token source" -}}
{{- end -}}
{{- if $w.useIAMAuth -}}
{{- $env = append $env (include "__CHART__.env.literal" (dict "name" "IAM_TOKEN_DB_AUTH" "value" "true") | fromJson) -}}
{{- else if $w.useAzureEntraAuth -}}
{{- $env = append $env (include "__CHART__.env.literal" (dict "name" "AZURE_POSTGRESQL_AUTH" "value" "true") | fromJson) -}}
{{- else -}}
{{- $env = append $env (include "__CHART__.env.secret" (dict "name" "DATABASE_PASSWORD" "secret" $ws.name "key" $ws.passwordKey) | fromJson) -}}
{{- end -}}
{{- $r := include "__CHART__.object" (dict "root" $root "value" $db.reader "class" "DatabaseReader") | fromJson -}}
{{- if and $r $r.host -}}
{{- range $toggle := list "useIAMAuth" "useAzureEntraAuth" -}}
{{- if and (get $r $toggle) (not (get $w $toggle)) -}}
{{- fail (printf "database.reader.%s requires database.writer.%s" $toggle $toggle) -}}
{{- end -}}
{{- end -}}
{{- $readerIAM := $w.useIAMAuth -}}
{{- if include "__CHART__.isSet" $r.useIAMAuth }}{{ $readerIAM = $r.useIAMAuth }}{{ end -}}
{{- $readerEntra := $w.useAzureEntraAuth -}}
{{- if include "__CHART__.isSet" $r.useAzureEntraAuth }}{{ $readerEntra = $r.useAzureEntraAuth }}{{ end -}}
{{- $rs := $ws -}}
{{- with include "__CHART__.object" (dict "root" $root "value" $r.passwordSecret "class" "ReaderPasswordSecret") | fromJson -}}
{{- $rs = . -}}
{{- $_ := required "database.reader.passwordSecret.name is required" $rs.name -}}
{{- end -}}
{{- $port := $w.port -}}
{{- if include "__CHART__.isSet" $r.port }}{{ $port = $r.port }}{{ end -}}
{{- $env = append $env (include "__CHART__.env.literal" (dict "name" "DATABASE_HOST_READ_REPLICA" "value" $r.host) | fromJson) -}}
{{- $env = append $env (include "__CHART__.env.literal" (dict "name" "DATABASE_PORT_READ_REPLICA" "value" (printf "%d" (int $port))) | fromJson) -}}
{{- $env = append $env (include "__CHART__.env.literal" (dict "name" "DATABASE_NAME_READ_REPLICA" "value" ($r.dbname | default $w.dbname)) | fromJson) -}}
{{- $schema := $w.schema -}}
{{- if include "__CHART__.isSet" $r.schema }}{{ $schema = $r.schema }}{{ end -}}
{{- if include "__CHART__.isSet" $schema -}}
{{- $env = append $env (include "__CHART__.env.literal" (dict "name" "DATABASE_SCHEMA_READ_REPLICA" "value" $schema) | fromJson) -}}
{{- end -}}
{{- $env = append $env (include "__CHART__.env.secret" (dict "name" "DATABASE_USER_READ_REPLICA" "secret" $rs.name "key" $rs.usernameKey) | fromJson) -}}
{{- if not (or $readerIAM $readerEntra) -}}
{{- $env = append $env (include "__CHART__.env.secret" (dict "name" "DATABASE_PASSWORD_READ_REPLICA" "secret" $rs.name "key" $rs.passwordKey) | fromJson) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- $env = append $env (include "__CHART__.env.literal" (dict "name" "DISABLE_SCHEMA_UPDATE" "value" "true") | fromJson) -}}
{{- $redis := .v.redis -}}
{{- if $redis.host -}}
{{- $env = append $env (include "__CHART__.env.literal" (dict "name" "REDIS_HOST" "value" $redis.host) | fromJson) -}}
{{- $env = append $env (include "__CHART__.env.literal" (dict "name" "REDIS_PORT" "value" (printf "%d" (int $redis.port))) | fromJson) -}}
{{- with $redis.passwordSecret.name -}}
{{- $env = append $env (include "__CHART__.env.secret" (dict "name" "REDIS_PASSWORD" "secret" . "key" $redis.passwordSecret.passwordKey) | fromJson) -}}
{{- end -}}
{{- if $redis.cluster -}}
{{- $nodes := toJson (list (dict "host" $redis.host "port" (int $redis.port))) -}}
{{- $env = append $env (include "__CHART__.env.literal" (dict "name" "REDIS_CLUSTER_NODES" "value" $nodes) | fromJson) -}}
{{- end -}}
{{- /* LiteLLM hands REDIS_<KWARG> to redis-py as <kwarg> (litellm/_redis.py). */ -}}
{{- if and (include "__CHART__.isSet" $redis.sslCertReqs) (not $redis.ssl) -}}
{{- fail "redis.sslCertReqs needs redis.ssl: true" -}}
{{- end -}}
{{- if $redis.ssl -}}
{{- $env = append $env (include "__CHART__.env.literal" (dict "name" "REDIS_SSL" "value" "true") | fromJson) -}}
{{- if include "__CHART__.isSet" $redis.sslCertReqs -}}
{{- $env = append $env (include "__CHART__.env.literal" (dict "name" "REDIS_SSL_CERT_REQS" "value" $redis.sslCertReqs) | fromJson) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- toJson $env -}}
{{- end }}

{{/* The whole env of a component (gateway, backend, ui or migrations), in the normaliser's order. */}}
{{- define "__CHART__.env" -}}
{{- $v := .v -}}
{{- $component := .component -}}
{{- $env := list -}}
{{- if has $component (list "gateway" "backend") -}}
{{- $env = concat $env (include "__CHART__.env.masterKey" . | fromJsonArray) -}}
{{- end -}}
{{- if ne $component "migrations" -}}
{{- $env = append $env (include "__CHART__.env.literal" (dict "name" "LITELLM_LOG" "value" (index $v $component).logLevel) | fromJson) -}}
{{- end -}}
{{- if ne $component "ui" -}}
{{- $env = concat $env (include "__CHART__.env.server" . | fromJsonArray) -}}
{{- end -}}
{{- if has $component (list "gateway" "backend") -}}
{{- $env = append $env (include "__CHART__.env.literal" (dict "name" "CONFIG_FILE_PATH" "value" (include "__CHART__.configMountPath" .)) | fromJson) -}}
{{- end -}}
{{- if eq $component "gateway" -}}
{{- $env = append $env (include "__CHART__.env.literal" (dict "name" "NUM_WORKERS" "value" (printf "%d" (int $v.gateway.numWorkers))) | fromJson) -}}
{{- $pool := $v.database.connectionPool -}}
{{- if $pool.enabled -}}
{{- $env = append $env (include "__CHART__.env.literal" (dict "name" "LITELLM_PGBOUNCER_ENABLED" "value" "true") | fromJson) -}}
{{- $env = append $env (include "__CHART__.env.literal" (dict "name" "LITELLM_PGBOUNCER_MAX_DB_CONNECTIONS" "value" (printf "%d" (int $pool.maxDbConnections))) | fromJson) -}}
{{- $env = append $env (include "__CHART__.env.literal" (dict "name" "LITELLM_PGBOUNCER_MAX_CLIENT_CONN" "value" (printf "%d" (int $pool.maxClientConn))) | fromJson) -}}
{{- end -}}
{{- end -}}
{{- $spec := index $v (ternary "migrationJob" $component (eq $component "migrations")) -}}
{{- $env = concat $env (include "__CHART__.userEnv" $spec.extraEnv | fromJsonArray) -}}
{{- toJson $env -}}
{{- end }}
