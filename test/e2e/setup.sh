#!/usr/bin/env bash
# test/e2e/setup.sh: prepare real container runtimes for the hd-setup end-to-end tests.
#
# Idempotent and safe to re-run; a re-run on a prepared machine only pings the daemons.
# Must run as root. See test/e2e/README.md for what it does and the variables it writes.
#
# Environment:
#   HD_E2E_BEST_EFFORT=1      a runtime that fails is marked 0 instead of failing the script
#   HD_E2E_ROOTLESS_DOCKER=0  skip rootless docker; =1 require it; unset: try it, mark 0 if it fails
#   HD_E2E_VERIFY=1           force the probe containers to run again on every runtime
#   HD_E2E_USER=hdtest        the rootless test user
#   HD_E2E_CACHE_DIR          where the image tarball is built (default /var/tmp/hd-e2e)
#   HD_E2E_DOCKER_GROUP=1     add the test user to the docker group (=0 removes it; unset: leave)
#   HD_E2E_SHARED_ROOT=0      do not `mount --make-rshared /`
#   HD_E2E_CLI_COPY=1         copy bin/ dist/ presets/ to /opt/hd-setup-e2e for the rootless user
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
STATE_FILE="$HERE/.state.env"
ENTRYPOINT_SRC="$HERE/image/entrypoint.sh"

E2E_USER=${HD_E2E_USER:-hdtest}
BEST_EFFORT=${HD_E2E_BEST_EFFORT:-0}
ROOTLESS_DOCKER_WANT=${HD_E2E_ROOTLESS_DOCKER:-auto}
FORCE_VERIFY=${HD_E2E_VERIFY:-0}
CACHE_DIR=${HD_E2E_CACHE_DIR:-/var/tmp/hd-e2e}
RUN_DIR=/run/hd-e2e            # root: pidfiles and "verified" markers
LOG_DIR=/var/log/hd-e2e        # root: daemon logs

AGENT_IMAGE_DOCKER=hd-agent-test:latest
TCLOUD_IMAGE_DOCKER=hd-tcloud-test:latest
AGENT_IMAGE_PODMAN=localhost/hd-agent-test:latest
TCLOUD_IMAGE_PODMAN=localhost/hd-tcloud-test:latest
IMAGE_RECIPE_VERSION=1         # bump to force a re-import everywhere

DOCKER_SOCK=/var/run/docker.sock
PODMAN_SOCK=/run/podman/podman.sock
ROOTLESS_DOCKERD=/usr/share/docker.io/contrib/dockerd-rootless.sh
STARTED_LINE='hd-agent-test: started with /conf/config.json (token present)'

PKGS=(docker.io busybox-static podman runc uidmap slirp4netns golang-github-containernetworking-plugin-dnsname rootlesskit)

# Results (written to .state.env).
HD_E2E_DOCKER=0 HD_E2E_PODMAN=0 HD_E2E_PODMAN_ROOTLESS=0 HD_E2E_DOCKER_ROOTLESS=0
DOCKERD_PID="" PODMAN_SERVICE_PID="" PODMAN_ROOTLESS_SERVICE_PID="" DOCKERD_ROOTLESS_PID=""
PODMAN_ROOTLESS_PAUSE_PID=""
E2E_UID="" E2E_HOME="" E2E_XDG="" USER_IN_DOCKER_GROUP=0
FAILURES=()

T0=$(date +%s%N)
ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
fmt_ms() { printf '%d.%01ds' $(($1 / 1000)) $((($1 % 1000) / 100)); }
log() { printf '[hd-e2e %6s] %s\n' "$(fmt_ms "$(ms_since "$T0")")" "$*"; }
warn() { log "WARNING: $*" >&2; }
die() { log "ERROR: $*" >&2; write_state; exit 1; }

# step NAME: time a phase. step_end prints its duration.
STEP_NAME="" STEP_T=0
step() { STEP_NAME=$1; STEP_T=$(date +%s%N); log "== $1"; }
step_end() { log "   $STEP_NAME done in $(fmt_ms "$(ms_since "$STEP_T")")"; }

# runtime_failed VAR "message" [optional]: mark a runtime 0; fatal unless best effort / optional.
runtime_failed() {
  local var=$1 msg=$2 optional=${3:-0}
  printf -v "$var" 0
  FAILURES+=("$var: $msg")
  if [[ $BEST_EFFORT == 1 || $optional == 1 ]]; then
    warn "$msg (marking $var=0 and continuing)"
  else
    die "$msg (set HD_E2E_BEST_EFFORT=1 to continue without it)"
  fi
}

# wait_until SECONDS CMD...: poll CMD every 0.2 s until it succeeds.
wait_until() {
  local limit=$1; shift
  local end=$(( $(date +%s%N) + limit * 1000000000 ))
  while (( $(date +%s%N) < end )); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  "$@" >/dev/null 2>&1
}

# pid_alive PID PATTERN: PID runs and its command line matches PATTERN (guards against reused PIDs).
pid_alive() {
  local pid=$1 pat=$2
  [[ -n $pid && -r /proc/$pid/cmdline ]] || return 1
  # PID 1 here is not an init and reaps late: a zombie counts as gone.
  [[ $(awk '{print $3}' /proc/"$pid"/stat 2>/dev/null) != Z ]] || return 1
  tr '\0' ' ' </proc/"$pid"/cmdline | grep -q -- "$pat"
}
read_pid() { [[ -r $1 ]] && tr -dc '0-9' <"$1"; }

# write_if_changed FILE MODE OWNER CONTENT: returns 0 if the file was (re)written.
write_if_changed() {
  local file=$1 mode=$2 owner=$3 content=$4
  if [[ -f $file ]] && [[ "$(cat "$file")" == "$content" ]]; then return 1; fi
  install -d -o "${owner%%:*}" -g "${owner##*:}" "$(dirname "$file")"
  printf '%s\n' "$content" >"$file.hd-e2e.tmp"
  chmod "$mode" "$file.hd-e2e.tmp"; chown "$owner" "$file.hd-e2e.tmp"
  mv -f "$file.hd-e2e.tmp" "$file"
  return 0
}

# as_user CMD...: run as the rootless user with a clean login-like environment.
as_user() {
  (cd / && runuser -u "$E2E_USER" -- env -i HOME="$E2E_HOME" USER="$E2E_USER" LOGNAME="$E2E_USER" \
    SHELL=/bin/bash PATH=/usr/local/bin:/usr/bin:/bin XDG_RUNTIME_DIR="$E2E_XDG" "$@")
}

# Ping helpers (root can connect to every socket; curl is only a shortcut).
sock_ping() { # sock_ping SOCKET [PATH]
  local sock=$1 path=${2:-/_ping}
  [[ -S $sock ]] || return 1
  if command -v curl >/dev/null; then
    [[ "$(curl -s --max-time 5 --unix-socket "$sock" "http://d$path")" == OK ]]
  else
    timeout 10 docker -H "unix://$sock" version >/dev/null 2>&1
  fi
}
docker_ok() { sock_ping "$DOCKER_SOCK" && timeout 15 docker -H "unix://$DOCKER_SOCK" info >/dev/null 2>&1; }

write_state() {
  [[ -d $HERE ]] || return 0
  local tmp="$STATE_FILE.tmp.$$"
  {
    echo "# Written by test/e2e/setup.sh on $(date -u +%Y-%m-%dT%H:%M:%SZ). Source it: . test/e2e/.state.env"
    for v in HD_E2E_DOCKER HD_E2E_PODMAN HD_E2E_PODMAN_ROOTLESS HD_E2E_DOCKER_ROOTLESS; do
      printf 'export %s=%s\n' "$v" "${!v}"
    done
    printf 'export HD_E2E_USER=%q\n' "$E2E_USER"
    printf 'export HD_E2E_USER_UID=%q\n' "$E2E_UID"
    printf 'export HD_E2E_USER_HOME=%q\n' "$E2E_HOME"
    printf 'export HD_E2E_USER_XDG_RUNTIME_DIR=%q\n' "$E2E_XDG"
    printf 'export HD_E2E_USER_IN_DOCKER_GROUP=%q\n' "$USER_IN_DOCKER_GROUP"
    printf 'export HD_E2E_CLI=%q\n' "${HD_E2E_CLI:-}"
    printf 'export HD_E2E_AGENT_IMAGE_DOCKER=%q\n' "$AGENT_IMAGE_DOCKER"
    printf 'export HD_E2E_TCLOUD_IMAGE_DOCKER=%q\n' "$TCLOUD_IMAGE_DOCKER"
    printf 'export HD_E2E_AGENT_IMAGE_PODMAN=%q\n' "$AGENT_IMAGE_PODMAN"
    printf 'export HD_E2E_TCLOUD_IMAGE_PODMAN=%q\n' "$TCLOUD_IMAGE_PODMAN"
    printf 'export HD_E2E_DOCKER_SOCK=%q\n' "$DOCKER_SOCK"
    printf 'export HD_E2E_PODMAN_SOCK=%q\n' "$PODMAN_SOCK"
    printf 'export HD_E2E_PODMAN_ROOTLESS_SOCK=%q\n' "${E2E_XDG:+$E2E_XDG/podman/podman.sock}"
    printf 'export HD_E2E_DOCKER_ROOTLESS_SOCK=%q\n' "${E2E_XDG:+$E2E_XDG/docker.sock}"
    printf 'export HD_E2E_DOCKERD_PID=%q\n' "$DOCKERD_PID"
    printf 'export HD_E2E_PODMAN_SERVICE_PID=%q\n' "$PODMAN_SERVICE_PID"
    printf 'export HD_E2E_PODMAN_ROOTLESS_SERVICE_PID=%q\n' "$PODMAN_ROOTLESS_SERVICE_PID"
    printf 'export HD_E2E_DOCKERD_ROOTLESS_PID=%q\n' "$DOCKERD_ROOTLESS_PID"
    printf 'export HD_E2E_PODMAN_ROOTLESS_PAUSE_PID=%q\n' "$PODMAN_ROOTLESS_PAUSE_PID"
    printf 'export HD_E2E_SYSTEMD_IMAGE=%q\n' "${HD_E2E_SYSTEMD_IMAGE:-}"
  } >"$tmp" && mv -f "$tmp" "$STATE_FILE"
}

[[ $(id -u) == 0 ]] || { echo "test/e2e/setup.sh must run as root" >&2; exit 1; }
[[ -r $ENTRYPOINT_SRC ]] || { echo "missing $ENTRYPOINT_SRC" >&2; exit 1; }
install -d -m 0755 "$RUN_DIR" "$LOG_DIR" "$CACHE_DIR"
# One setup/teardown at a time. `flock -o` keeps the lock fd out of the daemons we start.
# (flock replaces this shell, so in the re-run script $PPID is the flock holding the lock.)
if [[ ${HD_E2E_LOCK_HELD:-} != "$PPID" ]]; then
  exec flock -o -w 600 "$RUN_DIR/lock" env HD_E2E_LOCK_HELD=$$ bash "${BASH_SOURCE[0]}" "$@"
fi
unset HD_E2E_LOCK_HELD

# /run is not a tmpfs on these machines: after a reboot, stale pidfiles, sockets and podman's
# "alive" markers would survive and confuse the runtimes. Wipe that volatile state once per boot.
BOOT_ID=$(cat /proc/sys/kernel/random/boot_id 2>/dev/null || echo unknown)
if [[ -f $RUN_DIR/boot_id && "$(cat "$RUN_DIR/boot_id")" != "$BOOT_ID" ]] &&
   ! sock_ping "$DOCKER_SOCK" && ! sock_ping "$PODMAN_SOCK"; then
  log "new boot detected: clearing stale runtime state under /run"
  rm -f "$RUN_DIR"/*.pid "$RUN_DIR"/verified-*
  rm -rf /run/libpod /run/containers/storage /var/run/docker /var/run/docker.pid "$DOCKER_SOCK" "$PODMAN_SOCK"
  if u=$(id -u "$E2E_USER" 2>/dev/null) && [[ -d /run/user/$u ]]; then rm -rf "/run/user/$u"; fi
fi
echo "$BOOT_ID" >"$RUN_DIR/boot_id"

# ---------------------------------------------------------------------------------------------
step "packages"
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
command -v systemd-analyze >/dev/null || missing+=(systemd)
if ((${#missing[@]})); then
  log "installing: ${missing[*]}"
  # No init system here: keep package scripts from starting services (we start daemons ourselves).
  own_policy=0
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod 0755 /usr/sbin/policy-rc.d && own_policy=1
  fi
  export DEBIAN_FRONTEND=noninteractive
  # Third-party apt sources may be unreachable here; only a failed install is fatal.
  apt-get update -qq >"$LOG_DIR/apt-update.log" 2>&1 || warn "apt-get update reported errors (see $LOG_DIR/apt-update.log)"
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >"$LOG_DIR/apt-install.log" 2>&1
  rc=$?
  ((own_policy)) && rm -f /usr/sbin/policy-rc.d
  ((rc == 0)) || { tail -20 "$LOG_DIR/apt-install.log" >&2; die "apt-get install failed (see $LOG_DIR/apt-install.log)"; }
else
  log "all packages present"
fi
step_end

# Real systemd hosts mount / shared; here it is private, and rootless podman then warns
# '"/" is not a shared mount' on stderr whenever it sets up its user namespace. HD_E2E_SHARED_ROOT=0 skips.
if [[ ${HD_E2E_SHARED_ROOT:-1} == 1 && "$(findmnt -no PROPAGATION / 2>/dev/null)" != shared ]]; then
  mount --make-rshared / && log "made / a shared mount (as systemd does)"
fi

# ---------------------------------------------------------------------------------------------
step "image tarball"
BUSYBOX=$(command -v busybox || echo /bin/busybox)
[[ -x $BUSYBOX ]] || die "busybox not found"
IMAGE_HASH=$({ echo "recipe=$IMAGE_RECIPE_VERSION"; sha256sum "$ENTRYPOINT_SRC" "$BUSYBOX" | cut -d' ' -f1; } | sha256sum | cut -c1-16)
IMAGE_TAR="$CACHE_DIR/hd-agent-test-$IMAGE_HASH.tar"
if [[ ! -s $IMAGE_TAR ]]; then
  rootfs=$(mktemp -d "$CACHE_DIR/rootfs.XXXXXX")
  mkdir -p "$rootfs"/{bin,etc,tmp,proc,sys,dev,var/run,run,root}
  chmod 1777 "$rootfs/tmp"
  cp "$BUSYBOX" "$rootfs/bin/busybox"
  for a in $("$BUSYBOX" --list); do
    [[ $a == busybox || -e $rootfs/bin/$a ]] || ln -s busybox "$rootfs/bin/$a"
  done
  install -m 0755 "$ENTRYPOINT_SRC" "$rootfs/entrypoint.sh"
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$rootfs/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$rootfs/etc/group"
  echo "hd-agent-test $IMAGE_HASH" >"$rootfs/etc/hd-agent-test-release"
  tar -C "$rootfs" --numeric-owner --owner=0 --group=0 --sort=name --mtime=@0 -cf "$IMAGE_TAR.tmp" . &&
    mv -f "$IMAGE_TAR.tmp" "$IMAGE_TAR"
  rm -rf "$rootfs"
  # Drop tarballs of older recipes.
  find "$CACHE_DIR" -maxdepth 1 -name 'hd-agent-test-*.tar' ! -name "${IMAGE_TAR##*/}" -delete
  log "built $IMAGE_TAR"
else
  log "reusing $IMAGE_TAR"
fi
chmod 0755 "$CACHE_DIR"; chmod 0644 "$IMAGE_TAR"
# A probe config, readable by the rootless user too. The token is fake.
PROBE_CONF="$CACHE_DIR/probe/conf"
PROBE_TOKEN_SECRET="hd-e2e-probe-secret-do-not-print"
install -d -m 0755 "$PROBE_CONF" "$CACHE_DIR/probe/logs"
chmod 0777 "$CACHE_DIR/probe/logs"
printf '{"token": "%s"}\n' "$(printf 'hde2eprobe:%s' "$PROBE_TOKEN_SECRET" | base64 -w0)" >"$PROBE_CONF/config.json"
chmod 0644 "$PROBE_CONF/config.json"
step_end

# ensure_image LABEL CMD...: import the tarball into the runtime named by CMD unless it already
# holds this recipe; tag the tcloud name too. Sets IMPORTED=1 when something changed.
IMPORTED=0
ensure_image() {
  local label=$1 agent=$2 tcloud=$3; shift 3
  local have aid tid
  IMPORTED=0
  have=$("$@" image inspect --format '{{index .Config.Labels "hd-e2e.hash"}}' "$agent" 2>/dev/null)
  if [[ $have != "$IMAGE_HASH" ]]; then
    log "$label: importing $agent"
    local out
    out=$("$@" import --change 'ENTRYPOINT ["/bin/sh","/entrypoint.sh"]' --change "LABEL hd-e2e.hash=$IMAGE_HASH" \
      "$IMAGE_TAR" "$agent" 2>&1) || { warn "$label: import failed: $out"; return 1; }
    IMPORTED=1
  fi
  aid=$("$@" image inspect --format '{{.Id}}' "$agent" 2>/dev/null) || return 1
  tid=$("$@" image inspect --format '{{.Id}}' "$tcloud" 2>/dev/null)
  if [[ $aid != "$tid" ]]; then
    "$@" tag "$agent" "$tcloud" || return 1
    IMPORTED=1
  fi
  return 0
}

# logs_contain TEXT CONTAINER CMD...
logs_contain() { local text=$1 c=$2; shift 2; "$@" logs "$c" 2>&1 | grep -qF -- "$text"; }

# verify_runtime LABEL MARKER_KEY SOCK_HOST SOCK_IN_CONTAINER CMD...: run the two probe containers
# (agent-style and tcloud-style) on a user network, check their logs and that `stop -t 1` is quick.
verify_runtime() {
  local label=$1 key=$2 sock_host=$3 sock_ctr=$4 agent=$5 tcloud=$6; shift 6
  local marker="$RUN_DIR/verified-$label"
  if [[ $FORCE_VERIFY != 1 && $IMPORTED == 0 && -f $marker && "$(cat "$marker")" == "$key" ]]; then
    log "$label: verified before (same image and daemon), skipping probe"
    return 0
  fi
  local net=hd-e2e-probe c1=hd-e2e-probe-agent c2=hd-e2e-probe-tcloud out t ok=1
  "$@" rm -f "$c1" "$c2" >/dev/null 2>&1
  "$@" network rm "$net" >/dev/null 2>&1
  if ! out=$("$@" network create "$net" 2>&1); then
    warn "$label: network create failed: $out"; return 1
  fi
  if ! out=$("$@" run -d --name "$c1" --network "$net" --memory=2048m --restart on-failure:3 \
      --security-opt label=disable --label fivetran=ldp --label hd-e2e=probe \
      --env CONTAINER_ENV_TYPE=probe \
      -v "$PROBE_CONF:/conf" -v "$CACHE_DIR/probe/logs:/logs" -v "$sock_host:$sock_ctr" \
      "$agent" -f /conf/config.json 2>&1); then
    warn "$label: run (agent) failed: $out"; ok=0
  fi
  if ((ok)) && ! out=$("$@" run -d --name "$c2" --network "$net" --label hd-e2e=probe \
      --env TCLOUD_URL=https://probe.example.invalid --env TCLOUD_CLIENT_SECRET="$PROBE_TOKEN_SECRET" \
      "$tcloud" executor apply 2>&1); then
    warn "$label: run (tcloud) failed: $out"; ok=0
  fi
  if ((ok)); then
    if ! wait_until 20 logs_contain "$STARTED_LINE" "$c1" "$@"; then
      warn "$label: agent probe did not log the started line; logs: $("$@" logs "$c1" 2>&1 | tail -5)"; ok=0
    elif ! wait_until 20 logs_contain "hd-agent-test: executor apply started (TCLOUD_URL=https://probe.example.invalid)" "$c2" "$@"; then
      warn "$label: tcloud probe did not log the started line; logs: $("$@" logs "$c2" 2>&1 | tail -5)"; ok=0
    elif "$@" logs "$c1" 2>&1 | grep -q "$PROBE_TOKEN_SECRET" || "$@" logs "$c2" 2>&1 | grep -q "$PROBE_TOKEN_SECRET"; then
      warn "$label: a probe printed its secret"; ok=0
    fi
  fi
  if ((ok)); then
    t=$(date +%s%N)
    "$@" stop -t 1 "$c1" "$c2" >/dev/null 2>&1 || { warn "$label: stop failed"; ok=0; }
    t=$(ms_since "$t")
    ((t > 8000)) && warn "$label: stop -t 1 took $(fmt_ms "$t")"
  fi
  "$@" rm -f "$c1" "$c2" >/dev/null 2>&1
  "$@" network rm "$net" >/dev/null 2>&1
  ((ok)) || return 1
  echo "$key" >"$marker"
  log "$label: probe containers OK (agent + tcloud, network, socket mount, stop -t 1 in $(fmt_ms "$t"))"
}

# ---------------------------------------------------------------------------------------------
step "rootful docker"
rootful_docker() {
  local mine; mine=$(read_pid "$RUN_DIR/dockerd.pid")
  if ! docker_ok; then
    local cur; cur=$(read_pid /var/run/docker.pid)
    if pid_alive "$cur" dockerd; then
      log "dockerd $cur is starting, waiting"
    else
      log "starting dockerd"
      rm -f /var/run/docker.pid   # stale: its PID is not a running dockerd
      setsid -f sh -c 'echo $$ >'"$RUN_DIR/dockerd.pid"'; exec dockerd' \
        >>"$LOG_DIR/dockerd.log" 2>&1 </dev/null
      mine=""
      wait_until 5 test -s "$RUN_DIR/dockerd.pid"
      mine=$(read_pid "$RUN_DIR/dockerd.pid")
    fi
    wait_until 30 docker_ok || { tail -5 "$LOG_DIR/dockerd.log" >&2; return 1; }
  fi
  local cur; cur=$(read_pid /var/run/docker.pid)
  if [[ -n $mine && $mine == "$cur" ]] && pid_alive "$mine" dockerd; then
    DOCKERD_PID=$mine
  else
    DOCKERD_PID=""   # a dockerd we did not start: teardown leaves it alone
    log "dockerd ${cur:-?} was not started by this script; teardown will not stop it"
  fi
  local D=(docker -H "unix://$DOCKER_SOCK")
  ensure_image docker "$AGENT_IMAGE_DOCKER" "$TCLOUD_IMAGE_DOCKER" "${D[@]}" || return 1
  verify_runtime docker "$IMAGE_HASH/${cur}" "$DOCKER_SOCK" /var/run/docker.sock \
    "$AGENT_IMAGE_DOCKER" "$TCLOUD_IMAGE_DOCKER" "${D[@]}" || return 1
}
if rootful_docker; then HD_E2E_DOCKER=1; else runtime_failed HD_E2E_DOCKER "rootful docker is not working (log: $LOG_DIR/dockerd.log)"; fi
step_end

# ---------------------------------------------------------------------------------------------
step "rootful podman"
ROOTFUL_CONF='[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]'
rootful_podman() {
  if [[ -f /etc/containers/containers.conf && ! -f /etc/containers/containers.conf.hd-e2e.orig ]] &&
     ! grep -q '^runtime = "runc"' /etc/containers/containers.conf; then
    cp -p /etc/containers/containers.conf /etc/containers/containers.conf.hd-e2e.orig
  fi
  local restart=0
  write_if_changed /etc/containers/containers.conf 0644 root:root "$ROOTFUL_CONF" && { log "wrote /etc/containers/containers.conf"; restart=1; }
  local rt; rt=$(podman info --format '{{.Host.OCIRuntime.Name}}' 2>"$LOG_DIR/podman-info.err") ||
    { warn "podman info failed: $(tail -3 "$LOG_DIR/podman-info.err")"; return 1; }
  [[ $rt == runc ]] || { warn "podman uses $rt, not runc"; return 1; }
  local pid; pid=$(read_pid "$RUN_DIR/podman-service.pid")
  if ((restart)) && pid_alive "$pid" "podman system service"; then
    log "config changed: restarting podman service $pid"; kill "$pid"; wait_until 10 sh -c "! kill -0 $pid"
  fi
  if ! sock_ping "$PODMAN_SOCK"; then
    if pid_alive "$pid" "podman system service"; then kill "$pid" 2>/dev/null; wait_until 10 sh -c "! kill -0 $pid"; fi
    install -d -m 0755 "$(dirname "$PODMAN_SOCK")"
    rm -f "$PODMAN_SOCK"
    log "starting podman system service on $PODMAN_SOCK"
    setsid -f sh -c 'echo $$ >'"$RUN_DIR/podman-service.pid"'; exec podman system service --time=0 unix://'"$PODMAN_SOCK" \
      >>"$LOG_DIR/podman-service.log" 2>&1 </dev/null
    wait_until 30 sock_ping "$PODMAN_SOCK" || { tail -5 "$LOG_DIR/podman-service.log" >&2; return 1; }
  fi
  pid=$(read_pid "$RUN_DIR/podman-service.pid")
  if pid_alive "$pid" "podman system service"; then PODMAN_SERVICE_PID=$pid
  else PODMAN_SERVICE_PID=""; log "the podman socket is served by a process this script did not start"; fi
  ensure_image podman "$AGENT_IMAGE_PODMAN" "$TCLOUD_IMAGE_PODMAN" podman || return 1
  verify_runtime podman "$IMAGE_HASH" "$PODMAN_SOCK" /run/user/1000/podman/podman.sock \
    "$AGENT_IMAGE_PODMAN" "$TCLOUD_IMAGE_PODMAN" podman || return 1
}
if rootful_podman; then HD_E2E_PODMAN=1; else runtime_failed HD_E2E_PODMAN "rootful podman is not working (log: $LOG_DIR/podman-service.log)"; fi
step_end

# ---------------------------------------------------------------------------------------------
step "rootless user $E2E_USER"
prepare_user() {
  if ! id "$E2E_USER" >/dev/null 2>&1; then
    useradd -m -s /bin/bash "$E2E_USER" || return 1
    log "created user $E2E_USER"
  fi
  E2E_UID=$(id -u "$E2E_USER"); E2E_HOME=$(getent passwd "$E2E_USER" | cut -d: -f6)
  E2E_XDG=/run/user/$E2E_UID
  local f
  for f in /etc/subuid /etc/subgid; do
    if ! grep -q "^$E2E_USER:" "$f" 2>/dev/null; then
      # Pick a 65536 range above everything already allocated.
      local start; start=$(awk -F: 'BEGIN{m=100000} {e=$2+$3; if (e>m) m=e} END{print m}' "$f" 2>/dev/null || echo 100000)
      if [[ $f == /etc/subuid ]]; then usermod --add-subuids "$start-$((start + 65535))" "$E2E_USER"
      else usermod --add-subgids "$start-$((start + 65535))" "$E2E_USER"; fi
      log "added $E2E_USER to $f"
    fi
  done
  # slirp4netns needs /dev/net/tun; here it is 0600. Must happen before the first rootless run.
  [[ "$(stat -c %a /dev/net/tun 2>/dev/null)" == 666 ]] || chmod 0666 /dev/net/tun || return 1
  install -d -m 0700 -o "$E2E_USER" -g "$(id -gn "$E2E_USER")" "$E2E_XDG" "$E2E_XDG/hd-e2e"
  local g; g=$(id -gn "$E2E_USER")
  write_if_changed "$E2E_HOME/.config/containers/containers.conf" 0644 "$E2E_USER:$g" '[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"' && log "wrote $E2E_HOME/.config/containers/containers.conf"
  write_if_changed "$E2E_HOME/.config/containers/storage.conf" 0644 "$E2E_USER:$g" '[storage]
driver = "overlay"' && log "wrote $E2E_HOME/.config/containers/storage.conf"
  chown "$E2E_USER:$g" "$E2E_HOME/.config"
  # Optional: the common real-world shape "non-root user in the docker group + rootful docker".
  case ${HD_E2E_DOCKER_GROUP:-} in
    1) id -nG "$E2E_USER" | grep -qw docker || { usermod -aG docker "$E2E_USER" && log "added $E2E_USER to the docker group"; } ;;
    0) id -nG "$E2E_USER" | grep -qw docker && { gpasswd -d "$E2E_USER" docker >/dev/null && log "removed $E2E_USER from the docker group"; } ;;
  esac
  if id -nG "$E2E_USER" | grep -qw docker; then USER_IN_DOCKER_GROUP=1; else USER_IN_DOCKER_GROUP=0; fi
  return 0
}
prepare_user || die "could not prepare the rootless user $E2E_USER"
write_state
step_end

# ---------------------------------------------------------------------------------------------
step "cli access for $E2E_USER"
# The rootless user runs the CLI straight from the repo when it can read it (it can when every
# directory up to the repo is o+rx); otherwise, or with HD_E2E_CLI_COPY=1, from a copy in
# /opt/hd-setup-e2e (bin/ dist/ presets/ package.json; dist is a self-contained esbuild bundle).
REPO=$(cd "$HERE/../.." && pwd)
CLI_COPY_DIR=/opt/hd-setup-e2e
HD_E2E_CLI=""
if [[ ! -f $REPO/dist/hd-setup.mjs ]]; then
  warn "$REPO/dist is not built yet (npm run build); HD_E2E_CLI left empty"
elif [[ ${HD_E2E_CLI_COPY:-0} != 1 ]] && as_user test -r "$REPO/bin/hd-setup.js" -a -r "$REPO/dist/hd-setup.mjs" -a -x "$REPO/dist/chunks"; then
  HD_E2E_CLI=$REPO/bin/hd-setup.js
  log "$E2E_USER can read the repo: HD_E2E_CLI=$HD_E2E_CLI"
else
  rm -rf "$CLI_COPY_DIR.tmp" && install -d -m 0755 "$CLI_COPY_DIR.tmp" &&
    cp -a "$REPO/bin" "$REPO/dist" "$REPO/package.json" "$CLI_COPY_DIR.tmp/" &&
    { [[ ! -d $REPO/presets ]] || cp -a "$REPO/presets" "$CLI_COPY_DIR.tmp/"; } &&
    chmod -R a+rX "$CLI_COPY_DIR.tmp" && rm -rf "$CLI_COPY_DIR" && mv "$CLI_COPY_DIR.tmp" "$CLI_COPY_DIR" ||
    die "could not copy the CLI to $CLI_COPY_DIR"
  HD_E2E_CLI=$CLI_COPY_DIR/bin/hd-setup.js
  log "copied the CLI to $CLI_COPY_DIR (re-run setup with HD_E2E_CLI_COPY=1 after every build)"
fi
if [[ -n $HD_E2E_CLI ]] && ! out=$(as_user node "$HD_E2E_CLI" --version 2>&1); then
  warn "$E2E_USER cannot run the CLI: $out"
fi
step_end

# ---------------------------------------------------------------------------------------------
step "rootless podman"
P_ROOTLESS=(as_user podman)
clean_rootless_netns() {
  as_user sh -c 'rm -f "$XDG_RUNTIME_DIR"/netns/rootless-netns-*; rm -rf "$XDG_RUNTIME_DIR"/libpod/tmp/rootless-netns*'
}
rootless_podman() {
  local out
  out=$("${P_ROOTLESS[@]}" info --format '{{.Host.OCIRuntime.Name}} {{.Store.GraphDriverName}} {{.Host.Security.Rootless}}' 2>&1) ||
    { warn "rootless podman info failed: $out"; return 1; }
  out=$(tail -1 <<<"$out")
  [[ $out == "runc overlay true" ]] || { warn "rootless podman: expected 'runc overlay true', got '$out'"; return 1; }
  local sock="$E2E_XDG/podman/podman.sock" pidf="$E2E_XDG/hd-e2e/podman-service.pid" pid
  pid=$(read_pid "$pidf")
  if ! sock_ping "$sock"; then
    if pid_alive "$pid" "podman system service"; then kill "$pid" 2>/dev/null; wait_until 10 sh -c "! kill -0 $pid"; fi
    as_user sh -c 'mkdir -p "$XDG_RUNTIME_DIR/podman"; rm -f "$XDG_RUNTIME_DIR/podman/podman.sock"'
    log "starting rootless podman system service on $sock"
    as_user setsid -f sh -c 'echo $$ >"$XDG_RUNTIME_DIR/hd-e2e/podman-service.pid"; exec podman system service --time=0 "unix://$XDG_RUNTIME_DIR/podman/podman.sock" >>"$XDG_RUNTIME_DIR/hd-e2e/podman-service.log" 2>&1 </dev/null'
    wait_until 30 sock_ping "$sock" || { tail -5 "$E2E_XDG/hd-e2e/podman-service.log" >&2; return 1; }
  fi
  pid=$(read_pid "$pidf")
  if pid_alive "$pid" "podman system service"; then PODMAN_ROOTLESS_SERVICE_PID=$pid; else PODMAN_ROOTLESS_SERVICE_PID=""; fi
  ensure_image podman-rootless "$AGENT_IMAGE_PODMAN" "$TCLOUD_IMAGE_PODMAN" "${P_ROOTLESS[@]}" || return 1
  PODMAN_ROOTLESS_PAUSE_PID=$(read_pid "$E2E_XDG/libpod/tmp/pause.pid")
  local key="$IMAGE_HASH/${PODMAN_ROOTLESS_PAUSE_PID}"
  if ! verify_runtime podman-rootless "$key" "$sock" /run/user/1000/podman/podman.sock \
      "$AGENT_IMAGE_PODMAN" "$TCLOUD_IMAGE_PODMAN" "${P_ROOTLESS[@]}"; then
    warn "rootless podman probe failed; cleaning the rootless netns and retrying once"
    clean_rootless_netns
    PODMAN_ROOTLESS_PAUSE_PID=$(read_pid "$E2E_XDG/libpod/tmp/pause.pid")
    verify_runtime podman-rootless "$IMAGE_HASH/${PODMAN_ROOTLESS_PAUSE_PID}" "$sock" /run/user/1000/podman/podman.sock \
      "$AGENT_IMAGE_PODMAN" "$TCLOUD_IMAGE_PODMAN" "${P_ROOTLESS[@]}" || return 1
  fi
  PODMAN_ROOTLESS_PAUSE_PID=$(read_pid "$E2E_XDG/libpod/tmp/pause.pid")
}
if rootless_podman; then HD_E2E_PODMAN_ROOTLESS=1; else runtime_failed HD_E2E_PODMAN_ROOTLESS "rootless podman for $E2E_USER is not working"; fi
step_end

# ---------------------------------------------------------------------------------------------
step "rootless docker"
rootless_docker() {
  [[ -x $ROOTLESS_DOCKERD ]] || { warn "$ROOTLESS_DOCKERD not found"; return 1; }
  local sock="$E2E_XDG/docker.sock" pidf="$E2E_XDG/hd-e2e/dockerd-rootless.pid" pid
  local D=(as_user docker -H "unix://$sock")
  pid=$(read_pid "$pidf")
  if ! sock_ping "$sock"; then
    if pid_alive "$pid" rootlesskit; then
      log "rootless dockerd $pid is starting, waiting"
    else
      log "starting rootless dockerd (dockerd-rootless.sh)"
      rm -f "$E2E_XDG/docker.pid"
      as_user env PATH=/usr/sbin:/sbin:/usr/local/bin:/usr/bin:/bin setsid -f sh -c \
        'echo $$ >"$XDG_RUNTIME_DIR/hd-e2e/dockerd-rootless.pid"; exec '"$ROOTLESS_DOCKERD"' >>"$XDG_RUNTIME_DIR/hd-e2e/dockerd-rootless.log" 2>&1 </dev/null'
    fi
    wait_until 40 sock_ping "$sock" || { tail -8 "$E2E_XDG/hd-e2e/dockerd-rootless.log" >&2; return 1; }
  fi
  pid=$(read_pid "$pidf")
  if pid_alive "$pid" rootlesskit; then DOCKERD_ROOTLESS_PID=$pid; else DOCKERD_ROOTLESS_PID=""; fi
  wait_until 15 "${D[@]}" info || { warn "rootless docker info failed"; return 1; }
  ensure_image docker-rootless "$AGENT_IMAGE_DOCKER" "$TCLOUD_IMAGE_DOCKER" "${D[@]}" || return 1
  verify_runtime docker-rootless "$IMAGE_HASH/$pid" "$sock" /var/run/docker.sock \
    "$AGENT_IMAGE_DOCKER" "$TCLOUD_IMAGE_DOCKER" "${D[@]}" || return 1
}
case $ROOTLESS_DOCKER_WANT in
  0) log "skipped (HD_E2E_ROOTLESS_DOCKER=0)" ;;
  1) if rootless_docker; then HD_E2E_DOCKER_ROOTLESS=1; else runtime_failed HD_E2E_DOCKER_ROOTLESS "rootless docker for $E2E_USER is not working (log: $E2E_XDG/hd-e2e/dockerd-rootless.log)"; fi ;;
  *) if rootless_docker; then HD_E2E_DOCKER_ROOTLESS=1; else runtime_failed HD_E2E_DOCKER_ROOTLESS "rootless docker for $E2E_USER is not working (log: $E2E_XDG/hd-e2e/dockerd-rootless.log)" 1; fi ;;
esac
step_end

# ---------------------------------------------------------------------------------------------
step "systemd image"
# A Debian bookworm with systemd as PID 1, for the reboot test (test/e2e/reboot.e2e.ts). Built once with
# debootstrap (~60-90 s), then reused by its tag (a hash of packages.txt, build.sh and the docker client).
# HD_E2E_SYSTEMD=0 skips it; a failure leaves HD_E2E_SYSTEMD_IMAGE empty (the reboot test fails under CI).
HD_E2E_SYSTEMD_IMAGE=""
if [[ ${HD_E2E_SYSTEMD:-1} == 0 ]]; then
  log "skipped (HD_E2E_SYSTEMD=0)"
elif [[ $HD_E2E_DOCKER != 1 ]]; then
  warn "rootful docker is not ready: no systemd image"
elif out=$(bash "$HERE/systemd/build.sh" 2> >(sed 's/^/    /' >&2)); then
  HD_E2E_SYSTEMD_IMAGE=$(tail -1 <<<"$out")
  log "systemd image: $HD_E2E_SYSTEMD_IMAGE"
else
  warn "could not build the systemd image (see the lines above)"
  FAILURES+=("HD_E2E_SYSTEMD_IMAGE: the systemd image did not build")
fi
step_end

# ---------------------------------------------------------------------------------------------
write_state
yn() { [[ $1 == 1 ]] && echo ready || echo "NOT ready"; }
echo
echo "hd-e2e runtimes ($(fmt_ms "$(ms_since "$T0")") total):"
printf '  %-16s %-10s %-34s image %s\n' docker "$(yn $HD_E2E_DOCKER)" "$DOCKER_SOCK" "$AGENT_IMAGE_DOCKER"
printf '  %-16s %-10s %-34s image %s\n' podman "$(yn $HD_E2E_PODMAN)" "$PODMAN_SOCK" "$AGENT_IMAGE_PODMAN"
printf '  %-16s %-10s %-34s image %s (user %s)\n' podman-rootless "$(yn $HD_E2E_PODMAN_ROOTLESS)" "$E2E_XDG/podman/podman.sock" "$AGENT_IMAGE_PODMAN" "$E2E_USER"
printf '  %-16s %-10s %-34s image %s (user %s)\n' docker-rootless "$(yn $HD_E2E_DOCKER_ROOTLESS)" "$E2E_XDG/docker.sock" "$AGENT_IMAGE_DOCKER" "$E2E_USER"
echo "  tcloud images: $TCLOUD_IMAGE_DOCKER (docker), $TCLOUD_IMAGE_PODMAN (podman)"
echo "  state: $STATE_FILE"
if ((${#FAILURES[@]})); then
  printf '  not ready: %s\n' "${FAILURES[@]}"
fi
exit 0
