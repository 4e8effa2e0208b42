#!/usr/bin/env bash
# test/e2e/teardown.sh: undo what test/e2e/setup.sh started. Safe to run any number of times.
#
# 1. Removes the test containers (controller, tcloud-apply-executor, tcloud-run-executor, anything
#    labelled fivetran=ldp or hd-e2e=probe) and the networks fivetran_ldp / hd-e2e-probe on every runtime.
# 2. Stops the daemons setup.sh started, by PID (daemons it did not start are left alone).
# 3. Kills the rootless podman pause process of the test user.
# Packages, the test user, its configs and the imported images stay, so the next setup is quick.
#   HD_E2E_PURGE=1  also remove the hd-agent-test / hd-tcloud-test images, the image tarball cache and
#                   the CLI copy in /opt/hd-setup-e2e.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
STATE_FILE="$HERE/.state.env"
RUN_DIR=/run/hd-e2e
PURGE=${HD_E2E_PURGE:-0}

[[ $(id -u) == 0 ]] || { echo "test/e2e/teardown.sh must run as root" >&2; exit 1; }
install -d -m 0755 "$RUN_DIR"
# One setup/teardown at a time. `flock -o` keeps the lock fd out of the daemons we start.
# (flock replaces this shell, so in the re-run script $PPID is the flock holding the lock.)
if [[ ${HD_E2E_LOCK_HELD:-} != "$PPID" ]]; then
  exec flock -o -w 600 "$RUN_DIR/lock" env HD_E2E_LOCK_HELD=$$ bash "${BASH_SOURCE[0]}" "$@"
fi
unset HD_E2E_LOCK_HELD

# shellcheck disable=SC1090
[[ -r $STATE_FILE ]] && . "$STATE_FILE"
E2E_USER=${HD_E2E_USER:-hdtest}
E2E_UID=$(id -u "$E2E_USER" 2>/dev/null || true)
E2E_HOME=$(getent passwd "$E2E_USER" 2>/dev/null | cut -d: -f6)
E2E_XDG=${E2E_UID:+/run/user/$E2E_UID}
DOCKER_SOCK=/var/run/docker.sock
CONTAINERS=(controller tcloud-apply-executor tcloud-run-executor hd-e2e-probe-agent hd-e2e-probe-tcloud)
NETWORKS=(fivetran_ldp hd-e2e-probe)
IMAGES=(hd-agent-test:latest hd-tcloud-test:latest localhost/hd-agent-test:latest localhost/hd-tcloud-test:latest)

T0=$(date +%s%N)
log() { printf '[hd-e2e teardown %5dms] %s\n' $(( ($(date +%s%N) - T0) / 1000000 )) "$*"; }

as_user() {
  (cd / && runuser -u "$E2E_USER" -- env -i HOME="$E2E_HOME" USER="$E2E_USER" LOGNAME="$E2E_USER" \
    SHELL=/bin/bash PATH=/usr/local/bin:/usr/bin:/bin XDG_RUNTIME_DIR="$E2E_XDG" "$@")
}
sock_ping() {
  [[ -S $1 ]] || return 1
  if command -v curl >/dev/null; then
    [[ "$(curl -s --max-time 5 --unix-socket "$1" http://d/_ping)" == OK ]]
  else
    timeout 10 docker -H "unix://$1" version >/dev/null 2>&1
  fi
}
pid_alive() {
  local pid=$1 pat=$2
  [[ -n $pid && -r /proc/$pid/cmdline ]] || return 1
  # PID 1 here is not an init and reaps late: a zombie counts as gone.
  [[ $(awk '{print $3}' /proc/"$pid"/stat 2>/dev/null) != Z ]] || return 1
  tr '\0' ' ' </proc/"$pid"/cmdline | grep -q -- "$pat"
}
read_pid() { [[ -r $1 ]] && tr -dc '0-9' <"$1"; }

# stop_pid NAME PID PATTERN: TERM, wait up to 15 s, then KILL.
stop_pid() {
  local name=$1 pid=$2 pat=$3 i
  if ! pid_alive "$pid" "$pat"; then return 0; fi
  log "stopping $name (pid $pid)"
  kill -TERM "$pid" 2>/dev/null
  for ((i = 0; i < 75; i++)); do pid_alive "$pid" "$pat" || return 0; sleep 0.2; done
  log "$name did not exit, sending KILL"
  kill -KILL "$pid" 2>/dev/null
  for ((i = 0; i < 25; i++)); do pid_alive "$pid" "$pat" || return 0; sleep 0.2; done
  log "WARNING: $name (pid $pid) is still running"
}

# clean_runtime LABEL CMD...: remove the test containers and networks (and images with PURGE=1).
clean_runtime() {
  local label=$1; shift
  local ids names
  # Full IDs, so a container found both by label and by name is removed once.
  ids=$( { "$@" ps -aq --no-trunc --filter label=fivetran=ldp; "$@" ps -aq --no-trunc --filter label=hd-e2e=probe
           local c; for c in "${CONTAINERS[@]}"; do "$@" container inspect --format '{{.Id}}' "$c"; done
         } 2>/dev/null | grep -E '^[0-9a-f]{12,}$' | sort -u)
  if [[ -n $ids ]]; then
    # shellcheck disable=SC2086
    names=$("$@" container inspect --format '{{.Name}}' $ids 2>/dev/null | sed 's|^/||' | tr '\n' ' ')
    log "$label: removing containers: $names"
    # shellcheck disable=SC2086
    "$@" rm -f $ids >/dev/null 2>&1 || log "$label: WARNING: could not remove every container"
  fi
  local n
  for n in "${NETWORKS[@]}"; do
    if "$@" network inspect "$n" >/dev/null 2>&1; then
      log "$label: removing network $n"
      "$@" network rm "$n" >/dev/null 2>&1 || log "$label: WARNING: could not remove network $n"
    fi
  done
  if [[ $PURGE == 1 ]]; then
    local i
    for i in "${IMAGES[@]}"; do
      "$@" image inspect "$i" >/dev/null 2>&1 && { log "$label: removing image $i"; "$@" rmi -f "$i" >/dev/null 2>&1; }
    done
  fi
  return 0
}

# --- containers and networks, on every runtime that is reachable --------------------------------
if command -v docker >/dev/null && sock_ping "$DOCKER_SOCK"; then
  # The reboot test's booted systems (label hd-e2e=reboot), and with PURGE=1 its systemd images.
  ids=$(timeout 30 docker ps -aq --filter label=hd-e2e=reboot 2>/dev/null)
  # shellcheck disable=SC2086
  [[ -n $ids ]] && { log "docker: removing the reboot test's systemd containers"; timeout 60 docker rm -f $ids >/dev/null 2>&1; }
  if [[ $PURGE == 1 ]]; then
    imgs=$(timeout 30 docker images -q --filter label=hd-e2e.systemd=1 2>/dev/null | sort -u)
    # shellcheck disable=SC2086
    [[ -n $imgs ]] && { log "docker: removing the systemd images"; timeout 60 docker rmi -f $imgs >/dev/null 2>&1; }
  fi
  clean_runtime docker timeout 60 docker -H "unix://$DOCKER_SOCK"
fi
if command -v podman >/dev/null; then
  clean_runtime podman timeout 60 podman
fi
user_ok=0
if [[ -n $E2E_UID && -d $E2E_XDG ]]; then
  user_ok=1
  command -v podman >/dev/null && clean_runtime podman-rootless as_user timeout 60 podman
  if sock_ping "$E2E_XDG/docker.sock"; then
    clean_runtime docker-rootless as_user timeout 60 docker -H "unix://$E2E_XDG/docker.sock"
  fi
fi

# --- daemons, by PID (state file first, pidfiles as a fallback) --------------------------------
if ((user_ok)); then
  stop_pid "rootless dockerd" "${HD_E2E_DOCKERD_ROOTLESS_PID:-$(read_pid "$E2E_XDG/hd-e2e/dockerd-rootless.pid")}" rootlesskit
  p=$(read_pid "$E2E_XDG/hd-e2e/dockerd-rootless.pid"); stop_pid "rootless dockerd" "$p" rootlesskit
  stop_pid "rootless podman service" "${HD_E2E_PODMAN_ROOTLESS_SERVICE_PID:-}" "podman system service"
  p=$(read_pid "$E2E_XDG/hd-e2e/podman-service.pid"); stop_pid "rootless podman service" "$p" "podman system service"
  # The rootless pause process keeps the user namespace alive. Kill it only when no rootless
  # container is left, then drop the rootless netns leftovers so the next run starts clean.
  running=$(as_user timeout 30 podman ps -q 2>/dev/null)
  if [[ -z $running ]]; then
    p=$(read_pid "$E2E_XDG/libpod/tmp/pause.pid")
    if [[ -n $p ]] && [[ -r /proc/$p/status ]] && [[ $(awk '/^Uid:/{print $2}' /proc/"$p"/status) == "$E2E_UID" ]] &&
       [[ $(awk '{print $3}' /proc/"$p"/stat 2>/dev/null) != Z ]]; then
      log "killing rootless podman pause process (pid $p)"
      kill -KILL "$p" 2>/dev/null
    fi
    rm -f "$E2E_XDG"/netns/rootless-netns-* 2>/dev/null
    rm -rf "$E2E_XDG"/libpod/tmp/rootless-netns* 2>/dev/null
  else
    log "rootless podman containers still running ($(echo $running)); leaving the pause process"
  fi
  rm -f "$E2E_XDG/hd-e2e/"*.pid
fi
stop_pid "podman service" "${HD_E2E_PODMAN_SERVICE_PID:-}" "podman system service"
p=$(read_pid "$RUN_DIR/podman-service.pid"); stop_pid "podman service" "$p" "podman system service"
stop_pid dockerd "${HD_E2E_DOCKERD_PID:-}" dockerd
p=$(read_pid "$RUN_DIR/dockerd.pid"); stop_pid dockerd "$p" dockerd
rm -f "$RUN_DIR"/*.pid "$RUN_DIR"/verified-*

if [[ $PURGE == 1 ]]; then
  rm -rf "${HD_E2E_CACHE_DIR:-/var/tmp/hd-e2e}" /opt/hd-setup-e2e
  log "removed the image cache and /opt/hd-setup-e2e"
fi

# --- state: mark everything down ---------------------------------------------------------------
if [[ -f $STATE_FILE ]]; then
  sed -i -E \
    -e 's/^export (HD_E2E_(DOCKER|PODMAN|PODMAN_ROOTLESS|DOCKER_ROOTLESS))=.*/export \1=0/' \
    -e "s/^export (HD_E2E_[A-Z_]*PID)=.*/export \1=''/" \
    -e "1s/.*/# Runtimes stopped by test\\/e2e\\/teardown.sh on $(date -u +%Y-%m-%dT%H:%M:%SZ); run setup.sh again./" \
    "$STATE_FILE"
fi
log "done"
