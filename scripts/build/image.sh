#!/usr/bin/env bash
# Builds Steward's worker image (deploy/image/Containerfile) with buildah, no Docker engine needed.
# Where no registry base can be pulled (this machine), the base is made locally: Debian 12 from
# the mirror apt uses here (debootstrap) plus this machine's Node 20, as the registry's
# node:20-bookworm-slim lays it out. Building runs as root with buildah's vfs storage and chroot
# isolation (../shared notes: no container runtime can run here).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
source "$root/scripts/setup/versions.env"
source "$root/scripts/setup/apt.sh"

usage() {
  cat <<'EOF'
Usage: scripts/build/image.sh [--tag NAME] [--base IMAGE] [--context DIR]
  --tag NAME      the image to build (default localhost/steward:<package.json version>)
  --base IMAGE    a Debian 12 image with Node 20 to build FROM (default: one made here with
                  debootstrap, localhost/steward-base:bookworm-node<version>)
  --context DIR   only prepare the build context in DIR (an empty or new folder), for
                  `podman build -f deploy/image/Containerfile DIR` or `docker build` elsewhere
EOF
}

fail() {
  echo "image.sh: $*" >&2
  exit 2
}

tag="localhost/steward:$(node -p "require('$root/package.json').version")"
base=""
context_only=""
while [ $# -gt 0 ]; do
  case "$1" in
    --tag | --base | --context)
      [ $# -ge 2 ] && [ -n "$2" ] && [ "${2#--}" = "$2" ] || fail "$1 needs a value"
      case "$1" in
        --tag) tag="$2" ;;
        --base) base="$2" ;;
        --context) context_only="$2" ;;
      esac
      shift 2
      ;;
    -h | --help)
      usage
      exit 0
      ;;
    *)
      usage >&2
      fail "unknown argument '$1'"
      ;;
  esac
done
if [ -n "$context_only" ] && [ -e "$context_only" ] && [ -n "$(ls -A "$context_only")" ]; then
  fail "--context $context_only is not empty (the context is written from scratch)"
fi
node_major="$(node -p 'process.versions.node.split(".")[0]')"
[ "$node_major" = 20 ] || fail "needs Node 20 on PATH (the image's Node), found $(node --version)"

# The context: the build with production dependencies only, and the pinned helm CLI.
prepare_context() {
  local dir="$1"
  local log
  log="$(mktemp)"
  (cd "$root" && npm run build >"$log" 2>&1) || { cat "$log" >&2; exit 1; }
  rm -f "$log"
  mkdir -p "$dir/app"
  cp "$root/package.json" "$root/package-lock.json" "$dir/app/"
  cp -a "$root/dist" "$dir/app/dist"
  (cd "$dir/app" && npm ci --omit=dev --no-audit --no-fund --loglevel=error >/dev/null)
  # The Temporal core's native library ships for five platforms; the image runs one (~110 MB less).
  find "$dir/app/node_modules/@temporalio/core-bridge/releases" -mindepth 1 -maxdepth 1 \
    ! -name "$(uname -m)-unknown-linux-gnu" -exec rm -rf {} +
  "$root/scripts/setup/helm.sh" >/dev/null
  cp "${STEWARD_CACHE:-$HOME/.cache/steward}/helm-$HELM_VERSION/bin/helm" "$dir/helm"
}

if [ -n "$context_only" ]; then
  mkdir -p "$context_only"
  prepare_context "$(cd "$context_only" && pwd)"
  echo "build context ready in $context_only"
  exit 0
fi

[ "$(id -u)" = 0 ] || fail "builds as root (buildah's vfs storage, debootstrap)"
t0=$SECONDS
if ! deb_installed_at_least buildah "$BUILDAH_DEB_VERSION" ||
  ! deb_installed_at_least debootstrap "$DEBOOTSTRAP_DEB_VERSION"; then
  apt_install "buildah=$BUILDAH_DEB_VERSION" "debootstrap=$DEBOOTSTRAP_DEB_VERSION"
fi
buildah=(buildah --storage-driver vfs)

# The Debian mirror apt uses here: the local base's packages come from where the host's do.
debian_mirror() {
  local uri
  uri="$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null |
    awk '/^URIs:/ {u=$2} /^Suites:/ && $0 ~ /bookworm( |$)/ {print u; exit}')"
  [ -n "$uri" ] || uri="$(awk '$1=="deb" && $3=="bookworm" {print $2; exit}' /etc/apt/sources.list 2>/dev/null)"
  [ -n "$uri" ] || fail "no bookworm source in /etc/apt/sources.list*"
  echo "$uri"
}

make_local_base() {
  local image="$1" cache rootfs container mount
  cache="${STEWARD_CACHE:-$HOME/.cache/steward}/image-base"
  rootfs="$cache/rootfs-bookworm"
  if [ ! -d "$rootfs" ]; then
    rm -rf "$rootfs.partial" && mkdir -p "$cache"
    debootstrap --variant=minbase bookworm "$rootfs.partial" "$(debian_mirror)" >"$cache/debootstrap.log"
    # The host's sources (updates and security too): the pinned packages are point releases.
    rm -f "$rootfs.partial/etc/apt/sources.list"
    cp /etc/apt/sources.list.d/*.sources "$rootfs.partial/etc/apt/sources.list.d/" 2>/dev/null ||
      cp /etc/apt/sources.list "$rootfs.partial/etc/apt/sources.list"
    mv "$rootfs.partial" "$rootfs"
  fi
  container="$("${buildah[@]}" from scratch)"
  mount="$("${buildah[@]}" mount "$container")"
  cp -a "$rootfs/." "$mount/"
  # Node as the registry's node image has it: /usr/local/bin/node and npm beside it.
  install -m 0755 "$(readlink -f "$(command -v node)")" "$mount/usr/local/bin/node"
  mkdir -p "$mount/usr/local/lib/node_modules"
  cp -a "$(npm root -g)/npm" "$mount/usr/local/lib/node_modules/npm"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$mount/usr/local/bin/npm"
  "${buildah[@]}" umount "$container" >/dev/null
  "${buildah[@]}" config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --cmd node "$container"
  "${buildah[@]}" commit --quiet "$container" "$image" >/dev/null
  "${buildah[@]}" rm "$container" >/dev/null
}

if [ -z "$base" ]; then
  base="localhost/steward-base:bookworm-node$(node --version | tr -d v)"
  if "${buildah[@]}" inspect --type image "$base" >/dev/null 2>&1; then
    printf '  %-34s %s\n' "base $base" "present"
  else
    printf '  %-34s %s\n' "base $base" "making (debootstrap, Node from this machine)"
    make_local_base "$base"
  fi
fi

context="$(mktemp -d)"
trap 'rm -rf "$context"' EXIT
printf '  %-34s %s\n' "context" "npm run build, production dependencies, helm $HELM_VERSION"
prepare_context "$context"
ipmitool="$(apt_resolve_pin "ipmitool=$IPMITOOL_DEB_VERSION")"
ceph="$(apt_resolve_pin "ceph-common=$CEPH_DEB_VERSION")"
printf '  %-34s %s\n' "image $tag" "building from $base"
"${buildah[@]}" build --isolation chroot --quiet -f "$root/deploy/image/Containerfile" \
  --build-arg "BASE=$base" \
  --build-arg "IPMITOOL_DEB_VERSION=${ipmitool#*=}" \
  --build-arg "CEPH_DEB_VERSION=${ceph#*=}" \
  -t "$tag" "$context" >/dev/null
size="$("${buildah[@]}" images --format '{{.Size}}' "$tag" | head -1)"
echo "image $tag built in $((SECONDS - t0)) s, $size"
