#!/usr/bin/env bash
# Installs what hactl and its tests need on Debian/Ubuntu, skipping whatever
# is already there: the Debian packages (as root, or with sudo) and the npm
# dependencies. Safe to run again. Used by `npm test` (pretest) and .ci/run.
# --with-docker: also what the compose runtime needs (Docker engine, compose,
# debootstrap; one apt-get update for all), then scripts/docker-setup.sh
# starts the engine and makes the base image.
# --with-browser: also Debian's chromium, which the dashboard's browser tests
# and its benchmark drive through playwright-core (no browser is downloaded).
set -euo pipefail
cd "$(dirname "$0")/.."
with_docker=false
with_browser=false
for arg in "$@"; do
  case "$arg" in
    --with-docker) with_docker=true ;;
    --with-browser) with_browser=true ;;
    *) echo "setup: unknown option $arg (known: --with-docker, --with-browser)" >&2; exit 2 ;;
  esac
done

# command -> Debian package that provides it
declare -A NEEDS=(
  [haproxy]=haproxy
  [mariadbd]=mariadb-server
  [mariadb-install-db]=mariadb-server
  [mariadb]=mariadb-client
  [php]=php-cli
  # Every local web node is an Apache (prefork + mod_php); lb-web's second engine too.
  [apache2]=apache2
  # As root, a web node's Apache serves as www-data: a folder of the user's on the way (a clone
  # under /root) is opened to it alone with an ACL entry.
  [setfacl]=acl
  # Each DB node's health agent answers lb-db's agent-check through socat.
  [socat]=socat
  # hactl's own CA and certificates for HTTPS (tls:); the tests' TLS clients too (curl, s_client).
  [openssl]=openssl
  [curl]=curl
  # session_mode: memcached and redis (their nodes, Sentinels and redis-cli, which a Redis node
  # starts with; the web nodes' PHP extensions are checked below).
  [memcached]=memcached
  [redis-server]=redis-server
  [redis-sentinel]=redis-sentinel
  [redis-cli]=redis-tools
)
if $with_docker; then
  NEEDS[dockerd]=docker.io
  NEEDS[debootstrap]=debootstrap
  # Debian 12 has no compose plugin: its docker-compose (v1) where `docker compose` is missing.
  docker compose version >/dev/null 2>&1 || NEEDS[docker-compose]=docker-compose
fi
$with_browser && NEEDS[chromium]=chromium
missing=()
for cmd in "${!NEEDS[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || PATH="$PATH:/usr/sbin:/sbin" command -v "$cmd" >/dev/null 2>&1 || missing+=("${NEEDS[$cmd]}")
done
# pdo_mysql has no command of its own.
if command -v php >/dev/null 2>&1 && ! php -m 2>/dev/null | grep -qi '^pdo_mysql$'; then missing+=(php-mysql); fi
if ! command -v php >/dev/null 2>&1; then missing+=(php-mysql); fi
if ! command -v php >/dev/null 2>&1 || ! php -m 2>/dev/null | grep -qi '^memcached$'; then missing+=(php-memcached); fi
if ! command -v php >/dev/null 2>&1 || ! php -m 2>/dev/null | grep -qi '^redis$'; then missing+=(php-redis); fi
# mod_php has no command either: its phpX.Y.load is what a web node's config loads.
compgen -G '/etc/apache2/mods-available/php*.load' >/dev/null || missing+=(libapache2-mod-php)

if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "setup: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
    SUDO="sudo"
  fi
  packages=$(printf '%s\n' "${missing[@]}" | sort -u | tr '\n' ' ')
  echo "setup: installing Debian packages: $packages" >&2
  # A server package starts its system service when installed (apache2 on port 80, MariaDB
  # on 3306): hactl runs private instances of its own, so none is started while installing.
  policy=/usr/sbin/policy-rc.d
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
    $SUDO chmod 755 "$policy"
    trap '$SUDO rm -f "$policy"' EXIT
  fi
  $SUDO apt-get update
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends $packages ca-certificates
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm dependencies (npm ci)" >&2
  npm ci --no-audit --no-fund
fi

if $with_docker; then
  bash scripts/docker-setup.sh
fi
