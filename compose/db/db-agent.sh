#!/bin/sh
# A DB node's health agent: one answer to one lb-db agent-check (HAProxy),
# run by socat per connection (with-agent.sh). It also keeps the node's role:
# the master lb-db's writer entry names is made writable once it has caught
# up, every other one read-only, so that only one master takes writes.
#
# Answers, in HAProxy's agent words:
#   up            replicating, within max_lag of every master it can reach
#   drain #WHY    further behind than max_lag, or not replicating from a master
#                 that answers: no new connections, so no failover to it
#   down #WHY     a replication error stopped it, or MariaDB does not answer
# The last answer, its reason, the writer and read_only go to STATE_FILE,
# which hactl status reads (HAProxy keeps no reason for a drain).
#
# Settings come from the file in HACTL_AGENT_ENV (rendered by hactl).
set -u
. "$HACTL_AGENT_ENV"

# MariaDB's errors of a master that cannot be reached (refused, no such host,
# gone away, lost): a dead master has nothing more to send, so the survivor
# is not held back by it.
UNREACHABLE='2002 2003 2005 2006 2013'

client() {
  if [ -n "${CLIENT_OPTIONS:-}" ]; then
    mariadb --defaults-extra-file="$CLIENT_OPTIONS" --socket="$SOCKET" --connect-timeout=2 -B "$@"
  else
    mariadb --socket="$SOCKET" --connect-timeout=2 -B "$@"
  fi
}

record() {
  # answer, reason, writer, read_only, time: tab-separated, replaced whole.
  printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$(date +%s)" > "$STATE_FILE.tmp" && mv -f "$STATE_FILE.tmp" "$STATE_FILE"
}

if ! read_only=$(client -N -e 'SELECT @@read_only' 2>/dev/null); then
  record down 'MariaDB does not answer' '' ''
  echo 'down #MariaDB does not answer'
  exit 0
fi

# One line: verdict (up, drain, down), whether it holds everything every
# reachable master sent (1/0), and the reason.
# A status that cannot be read says nothing of being caught up (awk alone would
# take no rows for "no links, nothing to wait for").
if ! slaves=$(client -e 'SHOW ALL SLAVES STATUS' 2>/dev/null); then
  slaves='' unreadable=1
fi
verdict=$(printf '%s\n' "$slaves" | awk -F '\t' -v max="$MAX_LAG_S" -v gone="$UNREACHABLE" '
  BEGIN { verdict = "up"; exact = 1; reason = ""; split(gone, g, " "); for (i in g) unreachable[g[i]] = 1 }
  NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
  {
    from = $col["Connection_name"]; io = $col["Slave_IO_Running"]; sql = $col["Slave_SQL_Running"]
    lag = $col["Seconds_Behind_Master"]
    if ($col["Last_SQL_Errno"] + 0 != 0) {
      verdict = "down"; exact = 0; reason = "replication from " from " stopped: " $col["Last_SQL_Error"]; next
    }
    if (io == "Yes" && sql == "Yes") {
      if (lag + 0 > 0 || $col["Read_Master_Log_Pos"] != $col["Exec_Master_Log_Pos"] || $col["Master_Log_File"] != $col["Relay_Master_Log_File"]) exact = 0
      if (lag + 0 > max && verdict == "up") { verdict = "drain"; reason = lag " s behind " from }
      next
    }
    if (io != "Yes" && ($col["Last_IO_Errno"] + 0) in unreachable) next
    exact = 0
    if (verdict == "up") { verdict = "drain"; reason = "not replicating from " from " (IO " io ", SQL " sql ")" }
  }
  END { print verdict "\t" exact "\t" reason }')
[ -z "${unreadable:-}" ] || verdict="drain	0	cannot read its replication status"
answer=$(printf '%s' "$verdict" | cut -f1)
exact=$(printf '%s' "$verdict" | cut -f2)
reason=$(printf '%s' "$verdict" | cut -f3- | tr -d '\r\n#')

# lb-db's view: the writer entry and each server's status. Unreachable: no
# role changes (an agent that cannot see lb-db keeps what it has).
writer='?'
mine=''
lb_cmd() { printf '%s\n' "$1" | socat -t 2 - "UNIX-CONNECT:$LB_DB_SOCKET" 2>/dev/null; }
# The whole table (its header counts the entries, even none), the key alone
# (an entry being updated is left out of a listing less often), each server.
lb_db() { lb_cmd 'show table mariadb;show table mariadb key 1;show stat'; }
# HAProxy leaves out an entry that a connection is updating right then: asked again.
for attempt in 1 2 3; do
  view=$(lb_db) || view=''
  printf '%s\n' "$view" | grep -q -e ' server_key=' -e '^# table: mariadb,.* used:0$' && break
done
if [ -n "$view" ]; then
  entry=$(printf '%s\n' "$view" | sed -n 's/.* server_key=\([^ ]*\).*/\1/p' | head -n 1)
  # A server at weight 0 (hactl switchover, a failback) is out of the pick: drained.
  status_of() { printf '%s\n' "$view" | awk -F , -v s="$1" '$1 == "mariadb" && $2 == s { print ($18 ~ /^UP/ && $19 == "0") ? "DRAIN" : $18 }'; }
  mine=$(status_of "$NODE")
  if [ "$entry" = - ]; then
    # An entry an agent made (below) names its server by id until a connection goes through it.
    sid=$(printf '%s\n' "$view" | sed -n 's/.* server_id=\([0-9]*\) server_key=-.*/\1/p' | head -n 1)
    entry=$(printf '%s\n' "$view" | awk -F , -v id="$sid" '$1 == "mariadb" && $2 != "BACKEND" && $29 == id { print $2; exit }')
  fi
  if [ -n "$entry" ]; then
    writer=''
    # A writer that is down, drained or in maintenance (hactl switchover) is none.
    case "$(status_of "$entry")" in UP*) writer=$entry ;; esac
  elif printf '%s\n' "$view" | grep -q '^# table: mariadb,.* used:0$'; then
    writer=''
    # No entry, yet this node is writable: it was the writer and lb-db lost its
    # entry (a restart, not a reload; HAProxy 2.6 also emptied it when a killed
    # container came back, seen in compose). It names itself again, by its
    # server id, before a connection could name the first master in line. A
    # node that just started is read-only and never does; on a fresh lb-db
    # the first connection (hactl up makes one) names the writer.
    if [ "$read_only" = 0 ] && [ "$mine" = UP ]; then
      id=$(printf '%s\n' "$view" | awk -F , -v s="$NODE" '$1 == "mariadb" && $2 == s { print $29 }')
      [ -n "$id" ] && lb_cmd "set table mariadb key 1 data.server_id $id" >/dev/null && writer=$NODE
    fi
  fi
  # Otherwise the entry was being updated as HAProxy listed the table (it skips
  # it then): unknown, as when lb-db does not answer.
fi

if [ "$writer" = "$NODE" ]; then
  if [ "$read_only" = 1 ] && [ "$exact" = 1 ] && [ "$answer" = up ]; then
    client -e 'SET GLOBAL read_only = OFF' >/dev/null 2>&1 && read_only=0
  fi
  # The writer stays in whatever its links say (the reason is still recorded):
  # a master it no longer reaches is no reason to drop writes, and a link that
  # broke would move them to a master that diverged the same way.
  answer=up
elif [ "$writer" != '?' ] && [ "$read_only" = 0 ]; then
  client -e 'SET SESSION lock_wait_timeout = 1; SET GLOBAL read_only = ON' >/dev/null 2>&1 && read_only=1
fi

# failback: auto. The first master (lb-db's one server that is not a backup)
# takes the writes back once it holds all the writer wrote: the writer leaves
# lb-db's pick (its own agent then takes it for no writer and makes it
# read-only), and once that has had time (FAILBACK_SETTLE_S, several of its
# checks) and this node still holds all it was sent, lb-db forgets the writer,
# ends its connections and sends the next ones here.
FAILBACK_SETTLE_S=2
FAILBACK_GIVE_UP_S=15
failback_file="$STATE_FILE.failback"
if [ "${FAILBACK:-manual}" = auto ] && [ "$writer" != '?' ]; then
  now=$(date +%s)
  if [ -f "$failback_file" ]; then
    old='' since=0
    read -r old since < "$failback_file"
    if [ $((now - since)) -ge "$FAILBACK_GIVE_UP_S" ] || [ "$writer" = "$NODE" ]; then
      # Never caught up (or a failback of an earlier life, or done by someone
      # else): the writer comes back into the pick; its agent makes it writable again.
      lb_cmd "set weight mariadb/$old 100%" >/dev/null
      rm -f "$failback_file"
    elif [ "$exact" = 1 ] && [ "$answer" = up ] && [ $((now - since)) -ge "$FAILBACK_SETTLE_S" ]; then
      lb_cmd "clear table mariadb;shutdown sessions server mariadb/$old" >/dev/null
      client -e 'SET GLOBAL read_only = OFF' >/dev/null 2>&1 && read_only=0
      writer=$NODE
      lb_cmd "set weight mariadb/$old 100%" >/dev/null
      rm -f "$failback_file"
    fi
  else
    first=$(printf '%s\n' "$view" | awk -F , '$1 == "mariadb" && $2 != "BACKEND" && $19 != "" && $21 == 0 { print $2; exit }')
    if [ "$first" = "$NODE" ] && [ -n "$writer" ] && [ "$writer" != "$NODE" ] && [ "$exact" = 1 ] && [ "$answer" = up ] && [ "$mine" = UP ]; then
      # Weight 0, not a drain: the writer's agent answers up, which lifts a drain.
      lb_cmd "set weight mariadb/$writer 0" >/dev/null && printf '%s %s\n' "$writer" "$now" > "$failback_file"
    fi
  fi
fi

record "$answer" "$reason" "$writer" "$read_only"
case "$answer" in
  up)
    # ready lifts only a drain this agent set: never hactl's own drain or maintenance.
    if [ "$mine" = 'DRAIN (agent)' ]; then echo 'up ready'; else echo up; fi ;;
  *) echo "$answer #$reason" ;;
esac
