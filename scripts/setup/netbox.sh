#!/usr/bin/env bash
# The lab's NetBox: Debian's PostgreSQL and Redis, NetBox and pynetbox (a test client) from PyPI
# (NetBox pins all its own dependencies, gunicorn included) into a venv cached outside the repo by
# version, and a migrated PostgreSQL data dir that every lab copies (the copy takes a second).
set -euo pipefail
source "$(dirname "$0")/versions.env"
source "$(dirname "$0")/apt.sh"
root="$(cd "$(dirname "$0")/../.." && pwd)"
cache="${STEWARD_CACHE:-$HOME/.cache/steward}"
dir="$cache/netbox-$NETBOX_VERSION"
step() { printf '  %-34s %s\n' "$1" "$2"; }

need_apt=()
[ -x "/usr/lib/postgresql/$POSTGRES_MAJOR/bin/postgres" ] ||
  need_apt+=("postgresql-$POSTGRES_MAJOR=$POSTGRESQL_DEB_VERSION")
command -v redis-server >/dev/null || need_apt+=("redis-server=$REDIS_DEB_VERSION")
command -v pg_config >/dev/null || need_apt+=("libpq-dev=$POSTGRESQL_DEB_VERSION")
if [ ${#need_apt[@]} -gt 0 ]; then
  step "netbox debian packages" "installing ${need_apt[*]}"
  apt_install "${need_apt[@]}"
fi

find_python() { # a working python$NETBOX_PYTHON: on PATH, else pyenv's
  local candidate
  for candidate in "$(command -v "python$NETBOX_PYTHON" || true)" \
    "$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")"/versions/"$NETBOX_PYTHON".*/bin/"python$NETBOX_PYTHON"; do
    if [ -n "$candidate" ] && "$candidate" -c 'import venv' 2>/dev/null; then echo "$candidate"; return; fi
  done
  echo "steward setup: NetBox $NETBOX_VERSION needs Python $NETBOX_PYTHON (on PATH or from pyenv)" >&2
  exit 1
}

if [ -f "$dir/venv/.complete" ]; then
  step "netbox $NETBOX_VERSION" "cached ($dir/venv)"
else
  step "netbox $NETBOX_VERSION" "installing from PyPI (cold: about 2 min)"
  rm -rf "$dir/venv"
  "$(find_python)" -m venv "$dir/venv"
  "$dir/venv/bin/pip" install --quiet --disable-pip-version-check --root-user-action=ignore \
    "netbox==$NETBOX_VERSION" "pynetbox==$PYNETBOX_VERSION"
  touch "$dir/venv/.complete"
fi

if [ -f "$dir/pg$POSTGRES_MAJOR-template/PG_VERSION" ]; then
  step "netbox database" "cached ($dir/pg$POSTGRES_MAJOR-template)"
else
  # NetBox's ~340 migrations re-render Django's model state again and again: about 15 min of CPU.
  step "netbox database" "migrating (cold: 15-25 min on 2 cores)"
  (cd "$root" && node --import tsx lab/netbox-template.ts)
fi
