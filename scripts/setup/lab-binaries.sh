#!/usr/bin/env bash
# Builds the lab's Kubernetes binaries from the Go module proxy, cached outside the repo by version.
# k8s.io/kubernetes replaces its staging modules with ./staging, so `go install` cannot build it;
# a wrapper module that points each staging module at its published v0.x.y can.
set -euo pipefail
source "$(dirname "$0")/versions.env"

cache="${STEWARD_CACHE:-$HOME/.cache/steward}"
k8s_dir="$cache/kubernetes-$KUBERNETES_VERSION"
etcd_dir="$cache/etcd-$ETCD_VERSION"
kwok_dir="$cache/kwok-$KWOK_VERSION"
export GOTOOLCHAIN=local GOFLAGS=-buildvcs=false
proxy="$(go env GOPROXY)"; proxy="${proxy%%,*}"; proxy="${proxy:-https://proxy.golang.org}"

step() { printf '  %-34s %s\n' "$1" "$2"; }

wrapper_replaces() { # module version fallback -> a replace for every local "=> ./" or "=> ../" replace in
  # that module's go.mod, pointing at the version the module requires (or the fallback for v0.0.0
  # placeholders, as Kubernetes uses for its staging modules); unrequired ones are dropped.
  local module="$1" version="$2" fallback="$3"
  curl -fsSL "$proxy/$module/@v/$version.mod" | awk -v fb="$fallback" '
    NF == 2 && $1 ~ /\./ && $2 ~ /^v[0-9]/ { required[$1] = $2 }
    $2 == "=>" && $3 ~ /^\.\.?\// { local[$1] = 1 }
    END {
      for (m in local) if (m in required) print "replace " m " => " m " " (required[m] == "v0.0.0" ? fb : required[m])
    }'
}

build_wrapper() { # dir module version staging_version ldflags pkg...
  local dir="$1" module="$2" version="$3" staging="$4" ldflags="$5"; shift 5
  local work; work="$(mktemp -d)"
  {
    echo "module steward.local/labbuild"
    echo "go 1.26.0"
    echo "require $module $version"
    wrapper_replaces "$module" "$version" "$staging"
  } > "$work/go.mod"
  printf 'package tools\nimport (\n' > "$work/tools.go"
  for pkg in "$@"; do printf '\t_ "%s"\n' "$pkg" >> "$work/tools.go"; done
  printf ')\n' >> "$work/tools.go"
  sed -i '1i //go:build tools' "$work/tools.go"
  (cd "$work" && go mod tidy -e >/dev/null 2>&1 || true
   cd "$work" && GOFLAGS="-mod=mod -buildvcs=false" go mod download >/dev/null)
  mkdir -p "$dir/bin.partial"
  for pkg in "$@"; do
    local name="${pkg##*/}"
    [ "$name" = v3 ] && name=etcd
    local t0=$SECONDS
    (cd "$work" && GOFLAGS="-mod=mod -buildvcs=false" CGO_ENABLED=0 go build -trimpath -ldflags "-s -w $ldflags" -o "$dir/bin.partial/$name" "$pkg")
    step "$name" "built in $((SECONDS - t0)) s"
  done
  rm -rf "$dir/bin" && mv "$dir/bin.partial" "$dir/bin"
  rm -rf "$work"
}

if [ -x "$k8s_dir/bin/kube-apiserver" ] && [ -x "$k8s_dir/bin/kube-controller-manager" ] && [ -x "$k8s_dir/bin/kube-scheduler" ]; then
  step "kubernetes $KUBERNETES_VERSION" "cached ($k8s_dir)"
else
  step "kubernetes $KUBERNETES_VERSION" "building (cold: about 20 min on 2 cores)"
  minor="${KUBERNETES_VERSION#v}"; major="${minor%%.*}"; minor="${minor#*.}"; minor="${minor%%.*}"
  v="k8s.io/component-base/version"
  build_wrapper "$k8s_dir" k8s.io/kubernetes "$KUBERNETES_VERSION" "v0.${KUBERNETES_VERSION#v1.}" \
    "-X $v.gitVersion=$KUBERNETES_VERSION -X $v.gitMajor=$major -X $v.gitMinor=$minor -X $v.gitTreeState=clean" \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kube-scheduler
fi

if [ -x "$etcd_dir/bin/etcd" ]; then
  step "etcd $ETCD_VERSION" "cached ($etcd_dir)"
else
  step "etcd $ETCD_VERSION" "building"
  build_wrapper "$etcd_dir" go.etcd.io/etcd/server/v3 "$ETCD_VERSION" "$ETCD_VERSION" "" go.etcd.io/etcd/server/v3
fi

if [ -x "$kwok_dir/bin/kwok" ]; then
  step "kwok $KWOK_VERSION" "cached ($kwok_dir)"
else
  step "kwok $KWOK_VERSION" "building"
  mkdir -p "$kwok_dir/bin"
  log="$(mktemp)"
  GOBIN="$kwok_dir/bin" CGO_ENABLED=0 go install -trimpath -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION" \
    >"$log" 2>&1 || { cat "$log"; exit 1; }
  rm -f "$log"
fi
