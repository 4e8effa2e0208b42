#!/bin/sh
# hd-agent-test entrypoint: a stand-in for the Fivetran HD agent and the Tobiko Cloud executors.
# Runs under busybox sh as PID 1 inside the test image built by test/e2e/setup.sh.
#
#   <image> -f /conf/config.json     Fivetran style: the config must be readable and hold a token.
#   <image> executor apply|run       Tobiko style: logs TCLOUD_URL and the NAMES of other settings.
#   <image> CMD [ARGS...]            any other command found in the image is exec'd (sh, nslookup, ...).
#
# It never prints a secret value. After the "started" line it sleeps until SIGTERM/SIGINT,
# so `stop -t 1` ends it at once.

log() { echo "hd-agent-test: $*"; }

mode=""
conf=""
sub=""
case "$1" in
  -f|--config)
    mode=fivetran
    conf="$2"
    ;;
  executor)
    mode=tobiko
    sub="$2"
    ;;
  "")
    mode=idle
    ;;
  *)
    mode=other
    ;;
esac

case "$mode" in
  fivetran)
    if [ -z "$conf" ]; then
      log "ERROR: -f needs a config file path"
      exit 2
    fi
    if [ ! -r "$conf" ]; then
      log "ERROR: cannot read $conf"
      exit 1
    fi
    if grep -q '"token"[[:space:]]*:[[:space:]]*"[^"][^"]*"' "$conf"; then
      tok="token present"
    else
      tok="token missing"
    fi
    log "started with $conf ($tok)"
    # Context for tests; never values of secrets.
    for s in /var/run/docker.sock /run/podman/podman.sock /run/user/1000/podman/podman.sock; do
      [ -S "$s" ] && log "runtime socket $s present"
    done
    [ -n "$CONTAINER_ENV_TYPE" ] && log "CONTAINER_ENV_TYPE=$CONTAINER_ENV_TYPE"
    [ -n "$HOST_USER_HOME_DIR" ] && log "HOST_USER_HOME_DIR=$HOST_USER_HOME_DIR"
    # Like the real agent, write into /logs when it is mounted, so tests can check the host side.
    if [ -d /logs ] && echo "$(date -u '+%Y-%m-%d %H:%M:%S') hd-agent-test started with $conf" >>/logs/hd-agent-test.log 2>/dev/null; then
      log "wrote /logs/hd-agent-test.log"
    fi
    ;;
  tobiko)
    case "$sub" in
      apply|run) ;;
      *) log "ERROR: unknown executor command '$sub' (want apply or run)"; exit 2 ;;
    esac
    log "executor $sub started (TCLOUD_URL=${TCLOUD_URL:-<unset>})"
    names=$(env | cut -d= -f1 | grep -E '^(TCLOUD|SQLMESH|TOBIKO)[A-Za-z0-9_]*$' | grep -v '^TCLOUD_URL$' | sort -u | tr '\n' ' ')
    [ -n "$names" ] && log "settings present (names only): $names"
    ;;
  idle)
    log "started without arguments"
    ;;
  other)
    # Anything else that names a command runs it (handy in tests: `<image> sh -c '...'`).
    if command -v "$1" >/dev/null 2>&1; then
      exec "$@"
    fi
    log "started with unrecognised arguments ($#)"
    ;;
esac

child=""
on_term() {
  log "received termination signal, exiting"
  [ -n "$child" ] && kill "$child" 2>/dev/null
  exit 0
}
trap on_term TERM INT HUP

while :; do
  sleep 3600 &
  child=$!
  wait "$child"
done
