#!/usr/bin/env bash
# test/e2e/systemd/build.sh: build, or reuse, the Debian bookworm image with systemd as PID 1 that the
# reboot test boots (test/e2e/reboot.e2e.ts). Root only. Prints the image tag as the last line of stdout.
#
# The image is debootstrap --variant=minbase with the packages in packages.txt, imported with
# `docker import`, plus Debian's docker client (the docker.io package's /usr/bin/docker, which needs only
# libc) at /usr/local/bin/docker. Its tag, hd-systemd:<hash>, is a hash of packages.txt, this script and
# that client: an image with the tag is reused (about 0.1 s), otherwise it is built (about 50-60 s here).
#
# Environment:
#   HD_E2E_DEBIAN_MIRROR   the Debian mirror (default: the first bookworm one in /etc/apt/sources.list.d/,
#                          then /etc/apt/sources.list)
#   HD_E2E_CACHE_DIR       where the root file system is built (default /var/tmp/hd-e2e)
#   HD_E2E_DOCKER_CLIENT   the docker client copied in (default /usr/bin/docker)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PKG_FILE=$HERE/packages.txt
CACHE_DIR=${HD_E2E_CACHE_DIR:-/var/tmp/hd-e2e}
CLIENT=${HD_E2E_DOCKER_CLIENT:-/usr/bin/docker}
SUITE=bookworm
REPO=hd-systemd
T0=$(date +%s)
log() { printf '[hd-systemd %3ss] %s\n' $(($(date +%s) - T0)) "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

[[ $(id -u) == 0 ]] || die "must run as root (debootstrap)"
[[ -x $CLIENT ]] || die "no docker client at $CLIENT (install docker.io, or set HD_E2E_DOCKER_CLIENT)"
docker info >/dev/null 2>&1 || die "docker does not answer (run test/e2e/setup.sh first)"

PACKAGES=$(grep -v '^\s*\(#\|$\)' "$PKG_FILE" | tr -d ' \t' | sort -u | paste -sd, -)
HASH=$({ echo "$PACKAGES"; sha256sum "$HERE/build.sh" "$CLIENT" | cut -d' ' -f1; } | sha256sum | cut -c1-16)
TAG=$REPO:$HASH

if docker image inspect "$TAG" >/dev/null 2>&1; then
  log "reusing $TAG"
  echo "$TAG"
  exit 0
fi

# The mirror: deb822 .sources (URIs: + Suites: with the bare suite), then one-line .list entries.
mirror() {
  [[ -n ${HD_E2E_DEBIAN_MIRROR:-} ]] && { echo "$HD_E2E_DEBIAN_MIRROR"; return; }
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -r $f ]] || continue
    awk -v s="$SUITE" '
      /^[[:space:]]*$/ { if (uri != "" && ok) { print uri; exit } uri = ""; ok = 0; next }
      tolower($1) == "uris:" { uri = $2 }
      tolower($1) == "suites:" { for (i = 2; i <= NF; i++) if ($i == s) ok = 1 }
      END { if (uri != "" && ok) print uri }' "$f" | head -1
  done | head -1 | grep . && return
  cat /etc/apt/sources.list.d/*.list /etc/apt/sources.list 2>/dev/null |
    awk -v s="$SUITE" '$1 == "deb" { i = 2; if ($2 ~ /^\[/) { while ($i !~ /\]$/) i++; i++ } if ($(i + 1) == s) { print $i; exit } }'
}
MIRROR=$(mirror || true)
[[ -n $MIRROR ]] || die "no Debian $SUITE mirror found in /etc/apt/sources.list.d/ (set HD_E2E_DEBIAN_MIRROR)"

if ! command -v debootstrap >/dev/null; then
  log "installing debootstrap"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null 2>&1 ||
    { apt-get update -qq >/dev/null 2>&1 || true; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null; } ||
    die "could not install debootstrap"
fi

install -d -m 0755 "$CACHE_DIR"
exec 9>"$CACHE_DIR/systemd-build.lock"
flock -w 600 9 || die "another build holds $CACHE_DIR/systemd-build.lock"
if docker image inspect "$TAG" >/dev/null 2>&1; then echo "$TAG"; exit 0; fi   # built while we waited

ROOT=$(mktemp -d "$CACHE_DIR/sdroot.XXXXXX")
trap 'rm -rf --one-file-system "$ROOT"' EXIT
log "debootstrap $SUITE ($PACKAGES) into $ROOT"
if ! debootstrap --variant=minbase --include="$PACKAGES" "$SUITE" "$ROOT" "$MIRROR" >"$CACHE_DIR/debootstrap.log" 2>&1; then
  tail -20 "$CACHE_DIR/debootstrap.log" >&2
  die "debootstrap failed (log: $CACHE_DIR/debootstrap.log)"
fi

install -m 0755 "$CLIENT" "$ROOT/usr/local/bin/docker"
# A container: no consoles to log in on, no hardware, nothing to fetch.
for u in getty@tty1.service console-getty.service serial-getty@.service systemd-udevd.service \
         systemd-udev-trigger.service apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer fstrim.timer; do
  ln -sf /dev/null "$ROOT/etc/systemd/system/$u"
done
echo hd-systemd >"$ROOT/etc/hostname"
: >"$ROOT/etc/machine-id"   # a fresh machine id at each boot of a new container
rm -rf "$ROOT"/var/cache/apt/archives/*.deb "$ROOT"/var/lib/apt/lists/* "$ROOT"/var/log/*.log

log "importing $TAG"
tar --numeric-owner -C "$ROOT" -c . |
  docker import --change 'LABEL hd-e2e.systemd=1' --change 'CMD ["/sbin/init"]' - "$TAG" >/dev/null
# Older builds of this image are superseded.
docker images --filter label=hd-e2e.systemd=1 --format '{{.Repository}}:{{.Tag}}' | grep -vx "$TAG" |
  xargs -r docker rmi >/dev/null 2>&1 || true
log "built $TAG"
echo "$TAG"
