#!/usr/bin/env bash
# One idempotent installer for everything Steward and its lab need on a fresh machine.
# Takes seconds when everything is already there.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
t0=$SECONDS
echo "steward setup"

need_apt=()
command -v openssl >/dev/null || need_apt+=(openssl)
command -v curl >/dev/null || need_apt+=(curl)
for tool in node npm python3 go kubectl; do
  command -v "$tool" >/dev/null || { echo "steward setup: $tool is required on PATH (see README)" >&2; exit 1; }
done
if [ ${#need_apt[@]} -gt 0 ]; then
  printf '  %-34s %s\n' "debian packages" "installing ${need_apt[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
else
  printf '  %-34s %s\n' "debian packages" "present"
fi

if [ -f node_modules/.package-lock.json ] && [ node_modules/.package-lock.json -nt package-lock.json ]; then
  printf '  %-34s %s\n' "npm packages" "present"
else
  printf '  %-34s %s\n' "npm packages" "installing (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
fi

# A cold NetBox database migrates for about 15 min of one core: the longest single step, so it
# starts first and runs beside everything else (apt_install serialises the apt-gets).
netbox_log="$(mktemp)"
scripts/setup/netbox.sh >"$netbox_log" 2>&1 &
netbox_pid=$!
scripts/setup/temporal.sh
scripts/setup/bmc-lab.sh
scripts/setup/ceph.sh
scripts/setup/openbao.sh
scripts/setup/chromium.sh
scripts/setup/nova.sh
scripts/setup/lab-binaries.sh
scripts/setup/addon-manifests.sh
scripts/setup/helm.sh
netbox_status=0
wait "$netbox_pid" || netbox_status=$?
cat "$netbox_log"
rm -f "$netbox_log"
[ "$netbox_status" -eq 0 ] || { echo "steward setup: netbox.sh failed" >&2; exit "$netbox_status"; }
echo "setup done in $((SECONDS - t0)) s"
