#!/usr/bin/env bash
# Fetches the upstream add-on manifests Steward applies during a Kubernetes upgrade (and the lab
# seeds) from the Go module proxy, pinned in versions.env, into
# ${STEWARD_ADDON_MANIFESTS:-${STEWARD_CACHE:-~/.cache/steward}/addons}/<kind>/<version>/:
#   snapshot-controller/<v>/crds/*.yaml        client/vN module, config/crd/
#   snapshot-controller/<v>/controller/*.yaml  main module, deploy/kubernetes/snapshot-controller/
#   monitoring-crds/<v>/*.yaml                 prometheus-operator, example/prometheus-operator-crd/
# A bundle already there is kept; one that is half-written is never used (written aside, then moved).
set -euo pipefail
source "$(dirname "$0")/versions.env"

cache="${STEWARD_ADDON_MANIFESTS:-${STEWARD_CACHE:-$HOME/.cache/steward}/addons}"
export GOTOOLCHAIN=local GOFLAGS=-mod=mod
work="$(mktemp -d)" # outside any Go module, so `go mod download` takes module@version
trap 'rm -rf "$work"' EXIT

step() { printf '  %-34s %s\n' "$1" "$2"; }

module_dir() { # module@version -> its extracted directory in the Go module cache
  local json
  json="$(cd "$work" && go mod download -json "$1")" || { echo "$json" >&2; return 1; }
  sed -n 's/^\t"Dir": "\(.*\)",$/\1/p' <<<"$json" | grep . # fails when go printed no Dir
}

copy_yaml() { # from to: every manifest but kustomize's own file
  mkdir -p "$2"
  find "$1" -maxdepth 1 -name '*.yaml' ! -name kustomization.yaml -exec cp {} "$2/" \;
  chmod -R u+w "$2"
}

fetched=()
for bundle in ${SNAPSHOT_CONTROLLER_BUNDLES//,/ }; do
  version="${bundle%%:*}" client="${bundle#*:}"
  dir="$cache/snapshot-controller/$version"
  [ -d "$dir" ] && continue
  major="${version%%.*}"
  rm -rf "$dir.partial"
  crds="$(module_dir "github.com/kubernetes-csi/external-snapshotter/client/$major@$client")"
  controller="$(module_dir "github.com/kubernetes-csi/external-snapshotter/$major@$version")"
  copy_yaml "$crds/config/crd" "$dir.partial/crds"
  copy_yaml "$controller/deploy/kubernetes/snapshot-controller" "$dir.partial/controller"
  mv "$dir.partial" "$dir"
  fetched+=("snapshot-controller $version")
done

for version in ${PROMETHEUS_OPERATOR_CRDS//,/ }; do
  dir="$cache/monitoring-crds/$version"
  [ -d "$dir" ] && continue
  rm -rf "$dir.partial"
  operator="$(module_dir "github.com/prometheus-operator/prometheus-operator@$version")"
  copy_yaml "$operator/example/prometheus-operator-crd" "$dir.partial"
  mv "$dir.partial" "$dir"
  fetched+=("monitoring-crds $version")
done

if [ ${#fetched[@]} -gt 0 ]; then
  step "add-on manifests" "fetched ${fetched[*]} ($cache)"
else
  step "add-on manifests" "cached ($cache)"
fi
