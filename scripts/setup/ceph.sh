#!/usr/bin/env bash
# Installs the lab's real Ceph from Debian 12 (mon, mgr, OSD daemons and the ceph/rados CLIs),
# pinned, only when missing.
set -euo pipefail
source "$(dirname "$0")/versions.env"
packages=(ceph-mon ceph-osd ceph-mgr ceph-common)
installed() {
  for p in "${packages[@]}"; do
    [ "$(dpkg-query -W -f '${Version}' "$p" 2>/dev/null)" = "$CEPH_DEB_VERSION" ] || return 1
  done
}
if installed; then
  printf '  %-34s %s\n' "ceph $CEPH_DEB_VERSION" "present"
else
  printf '  %-34s %s\n' "ceph $CEPH_DEB_VERSION" "installing from Debian"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${packages[@]/%/=$CEPH_DEB_VERSION}" >/dev/null
fi
