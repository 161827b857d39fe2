# Sourced by set-up scripts. apt_install PACKAGE=VERSION...: installs pinned Debian packages
# without starting their services (a package's postinst would start a system nginx, PostgreSQL or
# Redis; the lab runs its own on loopback).
apt_install() {
  local policy=/usr/sbin/policy-rc.d
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy"
    trap 'rm -f "$policy"' EXIT
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}
