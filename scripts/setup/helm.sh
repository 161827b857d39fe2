#!/usr/bin/env bash
# Builds the real helm CLI from the Go module proxy, cached outside the repo by version.
set -euo pipefail
source "$(dirname "$0")/versions.env"
dir="${STEWARD_CACHE:-$HOME/.cache/steward}/helm-$HELM_VERSION"
if [ -x "$dir/bin/helm" ]; then
  printf '  %-34s %s\n' "helm $HELM_VERSION" "cached ($dir)"
  exit 0
fi
printf '  %-34s %s\n' "helm $HELM_VERSION" "building (cold: about 5 min on 2 cores)"
rm -rf "$dir/bin.partial" && mkdir -p "$dir/bin.partial"
log="$(mktemp)"
GOTOOLCHAIN=local GOFLAGS=-buildvcs=false GOBIN="$dir/bin.partial" CGO_ENABLED=0 \
  go install -trimpath -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION" \
  "helm.sh/helm/v3/cmd/helm@$HELM_VERSION" >"$log" 2>&1 || { cat "$log"; exit 1; }
rm -f "$log"
rm -rf "$dir/bin" && mv "$dir/bin.partial" "$dir/bin"
