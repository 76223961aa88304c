#!/bin/sh
# Initialise the data folder on a fresh volume, then run MariaDB in the
# foreground, with its health agent beside it (HACTL_AGENT_LISTEN, set by the
# compose file), so the container lives and dies with it.
set -eu
if [ ! -d /var/lib/mysql/mysql ]; then
  mariadb-install-db --user=mysql --datadir=/var/lib/mysql --auth-root-authentication-method=socket >/dev/null
fi
# hactl mounts /run/mysqld from the host to reach the socket: make it MariaDB's.
chown mysql:mysql /run/mysqld
exec /usr/local/lib/hactl/with-agent.sh /etc/mysql/hactl/agent.env "$HACTL_AGENT_LISTEN" mariadbd --user=mysql
