#!/bin/sh
# Runs a DB node with its health agent: the agent (socat, one db-agent.sh per
# check) in the background, then the command given (mariadbd) in its place, so
# both are one process group locally and one container in compose: started,
# stopped and killed together.
# Usage: with-agent.sh AGENT_ENV_FILE SOCAT_LISTEN_ADDRESS COMMAND [ARG...]
set -eu
HACTL_AGENT_ENV=$1
listen=$2
shift 2
export HACTL_AGENT_ENV
# What the agent kept of the node's last life (a failback under way) means nothing now.
. "$HACTL_AGENT_ENV"
rm -f "$STATE_FILE.failback"
# From its own folder, so that socat's command needs no path (paths may hold
# spaces or commas, which socat's address syntax would split).
(cd "$(dirname "$0")" && exec socat -lh "$listen" SYSTEM:'exec sh ./db-agent.sh') &
exec "$@"
