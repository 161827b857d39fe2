#!/usr/bin/env bash
# Debian's Chromium, pinned, for the end-to-end test that drives the Temporal UI (playwright-core
# from npm drives it; Playwright's own browser download is not reachable here).
set -euo pipefail
source "$(dirname "$0")/versions.env"
source "$(dirname "$0")/apt.sh"
if deb_installed_at_least chromium "$CHROMIUM_DEB_VERSION"; then
  printf '  %-34s %s\n' "chromium" "present"
else
  printf '  %-34s %s\n' "chromium" "installing from Debian"
  apt_install "chromium=$CHROMIUM_DEB_VERSION"
fi
