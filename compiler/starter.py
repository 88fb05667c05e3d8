"""`litectl init`: a commented starter spec that validates as it is."""

from __future__ import annotations

from litectl.compiler.diagnostics import UsageError
from litectl.compiler.model import DNS1123_LABEL

STARTER = """\
# yaml-language-server: $schema={schema_id}
# A LiteLLM deployment topology. Validate it with `litectl validate {file}` and compile it with
# `litectl compile {file}` (every target listed under `targets`). Reference: `litectl schema`.
apiVersion: litectl/v1alpha1
kind: LiteLLMTopology
metadata:
  name: {name}                 # prefixes every object: {name}-gateway, {name}-backend, ...
  # namespace: litellm
image:
  repository: ghcr.io/berriai/litellm
  tag: "1.104.0"               # quote versions
masterKey:                     # an existing Secret: litectl never writes secret values
  secretName: litellm-master-key-secret
  secretKey: master-key
database:
  writer:
    host: postgres.example.internal
    port: 5432
    dbname: litellm
    passwordSecret:            # Secret with the user name and password
      name: litellm-writer-secret
      usernameKey: username
      passwordKey: password
  # reader:                    # optional read replica; unset fields fall back to the writer's
  #   host: postgres-ro.example.internal
redis:
  host: ""                     # empty: no Redis
gateway:
  numWorkers: 1
  config:
    proxy_config:              # LiteLLM's own config.yaml, passed through
      model_list: []
ingress:
  enabled: false
  # host: llm.example.com
environments: {{}}             # e.g. prod: {{gateway: {{hpa: {{maxReplicas: 20}}}}}}
targets:
  helm: {{output: deploy/helm}}
  kustomize: {{output: deploy/kustomize}}
  compose: {{output: deploy/compose}}
"""


def starter_spec(name: str = "litellm", file: str = "litellm.yaml") -> str:
    import re

    from litectl.schema import SCHEMA_ID

    if not re.match(DNS1123_LABEL, name) or len(name) > 40:
        raise UsageError(f"--name {name!r} must be a DNS-1123 label of at most 40 characters")
    return STARTER.format(schema_id=SCHEMA_ID, name=name, file=file)
