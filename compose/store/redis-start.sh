#!/bin/sh
# Starts a Redis node or a Sentinel where the others are now, not where
# cluster.yaml began: a node that starts while another is the primary joins
# as its replica (started as a primary, it would take writes for the ~10 s
# until the Sentinels turn it round, and they would be lost), and a Sentinel
# watches the primary of the moment. Who that is: the Sentinels' answer, else
# a running node that says it is the primary, else cluster.yaml's first node.
# Usage: redis-start.sh redis|sentinel RENDERED_CONF START_ENV OWN_CONF
# START_ENV sets MASTER (the name the Sentinels know the primary by), SELF ("host port"), FIRST ("host port"), NODES and
# SENTINELS (host:port …). OWN_CONF is the file the process runs from and
# rewrites (a Sentinel records what it learns there; CONFIG REWRITE after a
# failover): made afresh on each start, never the rendered one.
set -eu
# What it writes holds the password.
umask 077
mode=$1
conf=$2
. "$3"
own=$4
password=$(sed -n 's/^requirepass "\(.*\)"$/\1/p' "$conf")
export REDISCLI_AUTH="$password"

ask() { # host:port command… -> the answer's lines as words, or nothing
  at=$1
  shift
  timeout 2 redis-cli --no-auth-warning -h "${at%:*}" -p "${at##*:}" --raw "$@" 2>/dev/null | tr '\r\n' '  ' || true
}

primary=""
sentinel_says() {
  for s in $SENTINELS; do
    answer=$(ask "$s" SENTINEL get-master-addr-by-name "$MASTER" | sed 's/ *$//')
    case $answer in
      *" "[0-9]*) primary=$answer; return 0 ;;
    esac
  done
  return 1
}
other_runs() {
  for n in $NODES; do
    [ "${n%:*} ${n##*:}" = "$SELF" ] && continue
    [ -n "$(ask "$n" PING)" ] && return 0
  done
  return 1
}
node_says() {
  for n in $NODES; do
    [ "${n%:*} ${n##*:}" = "$SELF" ] && continue
    case $(ask "$n" ROLE) in
      master*) primary="${n%:*} ${n##*:}"; return 0 ;;
    esac
  done
  return 1
}

if [ "$mode" = redis ]; then
  # This node just died and came back before the Sentinels noticed: they still
  # name it, and it starts empty (sessions are not persisted). Wait for them
  # to promote a replica (the down-after time and a vote) rather than serve
  # an empty primary that the replicas would copy.
  waited=0
  while sentinel_says && [ "$primary" = "$SELF" ] && [ "$waited" -lt 100 ] && other_runs; do
    primary=""
    sleep 0.1
    waited=$((waited + 1))
  done
fi
[ -n "$primary" ] || sentinel_says || node_says || primary=$FIRST

tmp="$own.tmp"
if [ "$mode" = redis ]; then
  {
    echo "include \"$conf\""
    [ "$primary" = "$SELF" ] || echo "replicaof $primary"
  } >"$tmp"
  mv "$tmp" "$own"
  echo "hactl: starting as $([ "$primary" = "$SELF" ] && echo primary || echo "replica of $primary")"
  exec redis-server "$own"
fi
sed "s/@PRIMARY@/$primary/" "$conf" >"$tmp"
mv "$tmp" "$own"
echo "hactl: watching the primary at $primary"
exec redis-sentinel "$own"
