#!/usr/bin/env bash
# End-to-end tests against real docker and podman (rootful and rootless). Run as root.
# Under CI, a runtime that cannot be set up fails the run; locally the tests skip with a message.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ "$(id -u)" -ne 0 ]; then
  echo "test/e2e/run.sh: needs root to set up the runtimes and the rootless test user; skipping" >&2
  [ -n "${CI:-}" ] && exit 1 || exit 0
fi
# the e2e config's global set-up builds dist/ from the current source
bash test/e2e/setup.sh
npx vitest run --config vitest.e2e.config.ts
