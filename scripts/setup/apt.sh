# Sourced by set-up scripts. apt_install PACKAGE=VERSION...: installs pinned Debian packages
# without starting their services (a package's postinst would start a system nginx, PostgreSQL or
# Redis; the lab runs its own on loopback).
#
# Debian 12's archive serves only the newest stable or security update of a package, so a pinned
# version disappears the day Debian replaces it. Then the pin resolves to Debian's newer update of
# the same release (said on a line of its own); an older candidate, or none, fails naming both.
#
# One apt at a time: set-up scripts run side by side (the NetBox migration starts first, in the
# background), so every apt_install takes the same lock for its update and install.
apt_install() {
  (
    flock 9
    local policy=/usr/sbin/policy-rc.d
    if [ ! -e "$policy" ]; then
      printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy"
      trap 'rm -f "$policy"' EXIT
    fi
    apt-get update -qq
    local resolved=() spec
    for spec in "$@"; do resolved+=("$(apt_resolve_pin "$spec")") || exit 1; done
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${resolved[@]}" >/dev/null
  ) 9>/var/lock/steward-apt.lock
}

# apt_resolve_pin PACKAGE=VERSION: prints PACKAGE=VERSION, or PACKAGE=UPDATE when Debian has
# replaced VERSION by a newer update; fails when the archive offers neither.
apt_resolve_pin() {
  local package="${1%%=*}" pinned="${1#*=}" served
  # madison right-aligns the version column: a short version comes with leading spaces.
  if apt-cache madison "$package" | awk -F'|' '{gsub(/ /, "", $2); print $2}' | grep -qxF "$pinned"; then
    echo "$package=$pinned"
    return
  fi
  served="$(apt-cache policy "$package" | sed -n 's/^ *Candidate: //p')"
  if [ -n "$served" ] && [ "$served" != "(none)" ] && dpkg --compare-versions "$served" gt "$pinned"; then
    printf '  %-34s %s\n' "$package" "pinned $pinned is no longer served; installing Debian's update $served" >&2
    echo "$package=$served"
    return
  fi
  echo "steward setup: Debian serves no $package $pinned (candidate: ${served:-none}); update scripts/setup/versions.env" >&2
  return 1
}

# deb_installed_at_least PACKAGE VERSION: the package is installed at VERSION or a later update.
deb_installed_at_least() {
  local installed
  installed="$(dpkg-query -W -f '${Status} ${Version}' "$1" 2>/dev/null)" || return 1
  case "$installed" in "install ok installed "*) ;; *) return 1 ;; esac
  dpkg --compare-versions "${installed##* }" ge "$2"
}
