#!/usr/bin/env bash
# Makes this Debian 12 machine ready for hactl's `compose` runtime:
#   1. a Docker engine that answers (Debian's docker.io, started by hand when
#      there is no systemd) and a compose command (`docker compose`, or
#      Debian's docker-compose v1 where no plugin exists);
#   2. the base image debian:bookworm-slim, built offline with debootstrap from
#      the Debian mirror this machine's apt already uses, because no image
#      registry is reachable from here (elsewhere one would simply pull it);
#   3. a check that a container can run apt-get against that mirror, which is
#      what every `docker build` of compose/*/Dockerfile needs;
#   4. a summary.
# Safe to run again: every step first checks whether its work is already done.
# Runs as root, or through sudo. Set HACTL_REBUILD_BASE=1 to rebuild the image.
# Traffic: only to the Debian mirror (apt-get, debootstrap); never a registry.
set -euo pipefail

IMAGE=debian:bookworm-slim
SUITE=bookworm
DOCKERD_LOG=/var/log/dockerd.log
WAIT_SECONDS=30
# What the official slim image sets (docker import starts with an empty config).
IMAGE_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

step() { echo "docker-setup: $*"; }
die() { echo "docker-setup: ERROR: $*" >&2; exit 1; }

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || die "run as root, or install sudo"
  SUDO="sudo"
fi
# dockerd, debootstrap and chroot live in sbin, which a user's PATH may lack.
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

# Runs a noisy command with its output in a temporary log; on failure shows the
# end of that log, so a failure is loud but a success prints nothing extra.
run_quiet() {
  local what=$1; shift
  local out; out=$(mktemp)
  if ! "$@" >"$out" 2>&1; then
    echo "docker-setup: ERROR: $what failed: $*" >&2
    tail -n 40 "$out" | sed 's/^/    /' >&2
    rm -f "$out"
    exit 1
  fi
  rm -f "$out"
}

APT_UPDATED=0
apt_install() {
  if [ "$APT_UPDATED" -eq 0 ]; then
    run_quiet "apt-get update" $SUDO apt-get update
    APT_UPDATED=1
  fi
  run_quiet "apt-get install $*" $SUDO env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends "$@"
}

docker_ok() { $SUDO docker info >/dev/null 2>&1; }

if [ -r /etc/os-release ]; then
  # shellcheck disable=SC1091
  . /etc/os-release
  [ "${VERSION_CODENAME:-}" = "$SUITE" ] \
    || echo "docker-setup: warning: written for Debian 12 ($SUITE), this is ${PRETTY_NAME:-unknown}" >&2
fi

# ---------------------------------------------------------------------------
# Step 1: the engine.
# ---------------------------------------------------------------------------
if docker_ok; then
  step "1/4 engine: a Docker engine already answers"
else
  if ! command -v dockerd >/dev/null 2>&1; then
    step "1/4 engine: installing Debian's docker.io (dockerd, containerd, runc, iptables)"
    apt_install docker.io
  fi
  command -v dockerd >/dev/null 2>&1 || die "dockerd still missing after installing docker.io"

  if [ -d /run/systemd/system ]; then
    # systemd runs as PID 1: let it own the daemon, as on any normal host.
    step "1/4 engine: starting docker with systemctl"
    run_quiet "systemctl start docker" $SUDO systemctl start docker
  elif [ -s /var/run/docker.pid ] && $SUDO kill -0 "$(cat /var/run/docker.pid)" 2>/dev/null; then
    # A dockerd is already starting (e.g. a run a moment ago): just wait for it.
    step "1/4 engine: dockerd (pid $(cat /var/run/docker.pid)) is running, waiting for it"
  else
    # No init system to start it (containers, sandboxes, this machine): start it
    # ourselves. setsid detaches it from this script's session and process
    # group, so it outlives the shell that ran the script.
    # DNS: dockerd gives containers the host's /etc/resolv.conf nameservers, but
    # drops loopback ones (127.x, e.g. systemd-resolved or a local dnsmasq),
    # which a container cannot reach, and then falls back to Google's public
    # DNS, which is unreachable (and off limits) here. So when the host lists
    # only loopback resolvers, hand dockerd the real upstream ones with --dns,
    # taken from systemd-resolved's upstream file when it exists. With no
    # upstream known at all, step 3 fails and says so.
    dns_args=()
    if ! awk '$1=="nameserver" && $2 !~ /^127\./ && $2 != "::1" {found=1} END {exit !found}' /etc/resolv.conf 2>/dev/null; then
      for f in /run/systemd/resolve/resolv.conf; do
        [ -r "$f" ] || continue
        while read -r ns; do dns_args+=(--dns "$ns"); done < <(
          awk '$1=="nameserver" && $2 !~ /^127\./ && $2 != "::1" {print $2}' "$f")
      done
      [ ${#dns_args[@]} -gt 0 ] \
        || echo "docker-setup: warning: /etc/resolv.conf lists only loopback resolvers and no upstream is known; containers may not resolve names" >&2
    fi
    step "1/4 engine: no systemd, starting dockerd in the background (log: $DOCKERD_LOG)${dns_args[*]:+, ${dns_args[*]}}"
    $SUDO mkdir -p "$(dirname "$DOCKERD_LOG")"
    # shellcheck disable=SC2016
    $SUDO setsid sh -c 'exec "$@" >>"'"$DOCKERD_LOG"'" 2>&1 </dev/null' dockerd dockerd "${dns_args[@]}" &
  fi

  for _ in $(seq "$WAIT_SECONDS"); do
    docker_ok && break
    sleep 1
  done
  if ! docker_ok; then
    echo "docker-setup: ERROR: the Docker engine did not answer within ${WAIT_SECONDS}s; end of $DOCKERD_LOG:" >&2
    $SUDO tail -n 30 "$DOCKERD_LOG" 2>/dev/null | sed 's/^/    /' >&2 || true
    exit 1
  fi
  step "1/4 engine: dockerd answers"
fi

# The `docker` on PATH may be a different build than the engine (here a newer
# client sits in /usr/local/bin). Newer clients negotiate the API version down
# to the engine's; check that the pair actually talks before going on.
if ! versions=$($SUDO docker version --format '{{.Client.Version}} (API {{.Client.APIVersion}}) / {{.Server.Version}} (API {{.Server.APIVersion}})' 2>&1); then
  die "client $(command -v docker) and the engine do not agree: $versions"
fi
step "1/4 engine: client/engine $versions, client $(command -v docker), storage driver $($SUDO docker info --format '{{.Driver}}')"

# Compose: the v2 plugin (`docker compose`) is not packaged in Debian 12;
# Debian's docker-compose (v1, Python) is, and hactl's compose driver takes
# either.
compose_cmd() {
  if $SUDO docker compose version >/dev/null 2>&1; then echo "docker compose"
  elif command -v docker-compose >/dev/null 2>&1 && docker-compose version >/dev/null 2>&1; then echo "docker-compose"
  fi
}
if [ -z "$(compose_cmd)" ]; then
  step "1/4 compose: neither 'docker compose' nor 'docker-compose' works, installing Debian's docker-compose"
  apt_install docker-compose
  [ -n "$(compose_cmd)" ] || die "docker-compose installed but 'docker-compose version' fails"
fi
COMPOSE=$(compose_cmd)
step "1/4 compose: using '$COMPOSE'"

# ---------------------------------------------------------------------------
# Step 2: the base image, built offline from the machine's own Debian mirror.
# ---------------------------------------------------------------------------
# Prints "URI SUITE" for every enabled `deb` source of this machine, from both
# the one-line format (sources.list, *.list) and deb822 (*.sources).
apt_sources() {
  local f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -r "$f" ] || continue
    # deb [options] URI SUITE COMPONENTS...
    awk '{ sub(/#.*/, "") }
         $1 == "deb" {
           i = 2
           if ($i ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
           if (i + 1 <= NF) print $i, $(i + 1)
         }' "$f"
  done
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -r "$f" ] || continue
    # One stanza per paragraph; field names are case-insensitive.
    awk 'BEGIN { RS = ""; FS = "\n" }
         {
           types = ""; uris = ""; suites = ""; enabled = "yes"
           for (i = 1; i <= NF; i++) {
             line = $i
             if (line ~ /^[ \t]*#/ || line !~ /:/) continue
             key = tolower(substr(line, 1, index(line, ":") - 1))
             val = substr(line, index(line, ":") + 1)
             if (key == "types") types = val
             else if (key == "uris") uris = val
             else if (key == "suites") suites = val
             else if (key == "enabled") enabled = tolower(val)
           }
           gsub(/[ \t]/, "", enabled)
           if (enabled == "no" || (" " types " ") !~ /[ \t]deb[ \t]/) next
           nu = split(uris, u, /[ \t]+/); ns = split(suites, s, /[ \t]+/)
           for (a = 1; a <= nu; a++) for (b = 1; b <= ns; b++)
             if (u[a] != "" && s[b] != "") print u[a], s[b]
         }' "$f"
  done
}

image_present() { $SUDO docker image inspect "$IMAGE" >/dev/null 2>&1; }

if image_present && [ "${HACTL_REBUILD_BASE:-0}" != 1 ]; then
  step "2/4 base image: $IMAGE already present"
else
  sources=$(apt_sources)
  MIRROR=$(awk -v s="$SUITE" '$2 == s { print $1; exit }' <<<"$sources")
  SECURITY=$(awk -v s="$SUITE-security" '$2 == s { print $1; exit }' <<<"$sources")
  MIRROR=${MIRROR%/}; SECURITY=${SECURITY%/}
  [ -n "$MIRROR" ] || die "no '$SUITE' source in /etc/apt/sources.list or /etc/apt/sources.list.d/; cannot tell which Debian mirror to build $IMAGE from"
  case "$MIRROR" in
    http://*|https://*) ;;
    *) die "the apt mirror '$MIRROR' is not http(s); debootstrap and containers cannot use it" ;;
  esac
  step "2/4 base image: building $IMAGE with debootstrap from $MIRROR${SECURITY:+ (security: $SECURITY)}"

  command -v debootstrap >/dev/null 2>&1 || apt_install debootstrap

  ROOTFS=$($SUDO mktemp -d /var/tmp/hactl-rootfs.XXXXXX)
  # debootstrap mounts /proc and /sys inside the rootfs while it works; never
  # rm -rf through a mount left behind by a failure, unmount first.
  cleanup_rootfs() {
    local m
    for m in $(awk -v r="$ROOTFS" 'index($2, r) == 1 { print $2 }' /proc/mounts | sort -r); do
      $SUDO umount -l "$m" 2>/dev/null || true
    done
    if awk -v r="$ROOTFS" 'index($2, r) == 1 { found = 1 } END { exit !found }' /proc/mounts; then
      echo "docker-setup: warning: mounts remain under $ROOTFS, not removing it" >&2
    else
      $SUDO rm -rf "$ROOTFS"
    fi
  }
  trap cleanup_rootfs EXIT

  include=()
  case "$MIRROR$SECURITY" in *https://*) include=(--include=ca-certificates) ;; esac
  start=$SECONDS
  # minbase: essential packages plus apt, like the official slim image.
  run_quiet "debootstrap" $SUDO debootstrap --variant=minbase "${include[@]}" \
    "$SUITE" "$ROOTFS" "$MIRROR"
  step "2/4 base image: debootstrap done in $((SECONDS - start))s, trimming the rootfs"

  # apt sources of the image: the same mirror as the host, so that apt-get in
  # `docker build` reaches exactly what the host's apt reaches.
  {
    echo "deb $MIRROR $SUITE main"
    echo "deb $MIRROR $SUITE-updates main"
    if [ -n "$SECURITY" ]; then echo "deb $SECURITY $SUITE-security main"; fi
  } | $SUDO tee "$ROOTFS/etc/apt/sources.list" >/dev/null

  # Carry over the host's apt settings that decide whether the mirror can be
  # used at all: a proxy, and the date checks a snapshot mirror needs switched
  # off (its Release files are past their Valid-Until).
  apt_conf=$(apt-config dump | grep -E '^Acquire::(https?::Proxy|Check-Valid-Until|Check-Date) ' || true)
  if [ -n "$apt_conf" ]; then
    $SUDO tee "$ROOTFS/etc/apt/apt.conf.d/90hactl-host" >/dev/null <<<"$apt_conf"
  fi

  # What makes the official image "slim": apt keeps no .deb files, caches or
  # translations, and dpkg skips docs, man pages and locales in every later
  # install (so the hactl images built on top stay small too).
  $SUDO tee "$ROOTFS/etc/apt/apt.conf.d/docker-clean" >/dev/null <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
  echo 'Acquire::Languages "none";' | $SUDO tee "$ROOTFS/etc/apt/apt.conf.d/docker-no-languages" >/dev/null
  echo 'Acquire::GzipIndexes "true";' | $SUDO tee "$ROOTFS/etc/apt/apt.conf.d/docker-gzip-indexes" >/dev/null
  echo 'Apt::AutoRemove::SuggestsImportant "false";' | $SUDO tee "$ROOTFS/etc/apt/apt.conf.d/docker-autoremove-suggests" >/dev/null
  $SUDO tee "$ROOTFS/etc/dpkg/dpkg.cfg.d/docker" >/dev/null <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/lintian/overrides/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/man/*
EOF
  $SUDO find "$ROOTFS/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete 2>/dev/null || true
  $SUDO find "$ROOTFS/usr/share/doc" -mindepth 1 -type d -empty -delete 2>/dev/null || true
  $SUDO rm -rf "$ROOTFS"/usr/share/{man,info,groff,linda,lintian/overrides,locale}/* \
    "$ROOTFS"/var/cache/apt/archives/*.deb "$ROOTFS"/var/cache/apt/*.bin \
    "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/var/log/*.log "$ROOTFS"/var/log/apt/* \
    "$ROOTFS"/tmp/* "$ROOTFS"/var/tmp/*
  # Docker mounts its own resolv.conf, hostname and hosts over these; the
  # host's values (copied by debootstrap) do not belong in an image. An empty
  # machine-id, as in the official image.
  : | $SUDO tee "$ROOTFS/etc/resolv.conf" "$ROOTFS/etc/machine-id" >/dev/null
  echo localhost | $SUDO tee "$ROOTFS/etc/hostname" >/dev/null

  # Replacing an older image (HACTL_REBUILD_BASE=1) leaves it untagged; images
  # built on it keep working.
  id=$($SUDO tar --numeric-owner --xattrs -C "$ROOTFS" -c . \
    | $SUDO docker import --change "ENV PATH=$IMAGE_PATH" --change 'CMD ["bash"]' \
        --message "debootstrap --variant=minbase $SUITE $MIRROR (scripts/docker-setup.sh)" - "$IMAGE") \
    || die "docker import of the rootfs failed"
  cleanup_rootfs
  trap - EXIT
  step "2/4 base image: imported $IMAGE as ${id#sha256:} in $((SECONDS - start))s"
fi

# ---------------------------------------------------------------------------
# Step 3: can a container on the default bridge reach the mirror? That is
# where `docker build` and compose's builds run their RUN apt-get steps.
# ---------------------------------------------------------------------------
verify_out=$($SUDO docker run --rm "$IMAGE" sh -c 'apt-get update >/dev/null && echo ok' 2>&1 || true)
if [ "$(tail -n 1 <<<"$verify_out")" = ok ]; then
  step "3/4 verify: apt-get update inside a container on the default bridge: ok"
else
  echo "$verify_out" | tail -n 15 | sed 's/^/    /' >&2
  # Tell apart "the bridge has no way out / no DNS" from "the mirror itself fails".
  if $SUDO docker run --rm --network host "$IMAGE" sh -c 'apt-get update >/dev/null && echo ok' 2>/dev/null | grep -qx ok; then
    die "apt-get works in a container with --network host but not on the default bridge: check ip_forward, iptables NAT (MASQUERADE) and the DNS servers dockerd hands out ($DOCKERD_LOG, /etc/resolv.conf)"
  fi
  die "apt-get update fails inside $IMAGE even with --network host: the image's /etc/apt/sources.list or apt settings do not match the host's (rebuild with HACTL_REBUILD_BASE=1)"
fi

# ---------------------------------------------------------------------------
# Step 4: summary.
# ---------------------------------------------------------------------------
case "$COMPOSE" in
  "docker compose") compose_version=$($SUDO docker compose version --short 2>/dev/null || true) ;;
  *) compose_version=$(docker-compose version --short 2>/dev/null || true) ;;
esac
read -r image_id image_size < <($SUDO docker image inspect -f '{{.Id}} {{.Size}}' "$IMAGE")
step "4/4 summary:"
echo "  docker:     $versions"
echo "  compose:    $COMPOSE $compose_version"
echo "  base image: $IMAGE ${image_id#sha256:} ($((image_size / 1000000)) MB)"
