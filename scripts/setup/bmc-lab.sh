#!/usr/bin/env bash
# Installs the Debian packages of the lab's bare metal, pinned, when a tool is missing: ipmi_sim
# (openipmi) for the BMCs, ipmitool (Steward's BMC client), dnsmasq for DDNS names, nginx for the
# provisioning endpoint.
set -euo pipefail
source "$(dirname "$0")/versions.env"
source "$(dirname "$0")/apt.sh"

need=()
command -v ipmi_sim >/dev/null || need+=("openipmi=$OPENIPMI_DEB_VERSION")
command -v ipmitool >/dev/null || need+=("ipmitool=$IPMITOOL_DEB_VERSION")
command -v dnsmasq >/dev/null || need+=("dnsmasq-base=$DNSMASQ_DEB_VERSION")
command -v nginx >/dev/null || need+=("nginx=$NGINX_DEB_VERSION")
if [ ${#need[@]} -eq 0 ]; then
  printf '  %-34s %s\n' "bmc lab packages" "present"
  exit 0
fi
printf '  %-34s %s\n' "bmc lab packages" "installing ${need[*]}"
apt_install "${need[@]}"
