#!/usr/bin/env bash
# Installs the lab's real OpenStack from Debian 12 (Zed), pinned, only when missing: the Python
# packages of Keystone, placement, Glance and Nova (no service packages: those bring debconf and
# system services; the lab launches the servers itself), the openstack and nova CLIs, and the
# servers they need: RabbitMQ, MariaDB, gunicorn. apt_install starts none of their services.
set -euo pipefail
source "$(dirname "$0")/versions.env"
source "$(dirname "$0")/apt.sh"
pins=(
  "python3-nova=$NOVA_DEB_VERSION"
  "python3-keystone=$KEYSTONE_DEB_VERSION"
  "python3-placement=$PLACEMENT_DEB_VERSION"
  "python3-glance=$GLANCE_DEB_VERSION"
  "python3-openstackclient=$OPENSTACKCLIENT_DEB_VERSION"
  "python3-novaclient=$NOVACLIENT_DEB_VERSION"
  "rabbitmq-server=$RABBITMQ_DEB_VERSION"
  "mariadb-server=$MARIADB_DEB_VERSION"
  "gunicorn=$GUNICORN_DEB_VERSION"
)
need=()
for pin in "${pins[@]}"; do
  deb_installed_at_least "${pin%%=*}" "${pin#*=}" || need+=("$pin")
done
if [ ${#need[@]} -eq 0 ]; then
  printf '  %-34s %s\n' "nova lab packages" "present"
  exit 0
fi
printf '  %-34s %s\n' "nova lab packages" "installing ${need[*]%%=*} (cold: about 2 min)"
apt_install "${need[@]}"
