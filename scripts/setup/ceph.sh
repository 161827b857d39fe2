#!/usr/bin/env bash
# Installs the lab's real Ceph from Debian 12 (mon, mgr, OSD daemons and the ceph/rados CLIs),
# pinned, only when missing.
set -euo pipefail
source "$(dirname "$0")/versions.env"
source "$(dirname "$0")/apt.sh"
packages=(ceph-mon ceph-osd ceph-mgr ceph-common)
installed() {
  for p in "${packages[@]}"; do
    deb_installed_at_least "$p" "$CEPH_DEB_VERSION" || return 1
  done
}
if installed; then
  printf '  %-34s %s\n' "ceph $CEPH_DEB_VERSION" "present"
else
  printf '  %-34s %s\n' "ceph $CEPH_DEB_VERSION" "installing from Debian"
  apt_install "${packages[@]/%/=$CEPH_DEB_VERSION}"
fi
