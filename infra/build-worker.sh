#!/usr/bin/env bash
# Builds the mediasoup worker binary from the sources shipped in the installed
# npm package, offline, against Debian's libraries, and prints ONLY its
# absolute path on stdout (logs go to stderr).
#
# Why: mediasoup's postinstall downloads a prebuilt worker and its meson build
# downloads its dependencies; neither is reachable here. So:
#   - node_modules/mediasoup/worker is copied to a build folder (the package
#     itself is never touched);
#   - infra/worker/subprojects/<wrap name>/ replaces each meson wrap with a
#     shim exposing Debian's library under the variable names mediasoup reads
#     (plus a libsrtp 3 -> 2 compatibility layer and an unordered_dense header);
#   - infra/worker/patches/*.patch are applied to the copy (each says why);
#   - meson + ninja come from pip into a venv under the build cache.
# The result is cached outside the repo, keyed by the mediasoup version and a
# hash of this script and infra/worker/, and is smoke-tested (a real Worker,
# router and transports through the mediasoup Node API) before it is used.
# Safe to run repeatedly and concurrently (a lock serialises builds).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# stdout is reserved for the final path.
exec 3>&1 1>&2
log() { printf '[build-worker] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

MESON_VERSION=1.12.1
MS_DIR="$ROOT/node_modules/mediasoup"
[ -f "$MS_DIR/package.json" ] || die "mediasoup is not installed (run npm install first)"
[ -d "$MS_DIR/worker/src" ] || die "mediasoup package has no worker sources"
MS_VERSION="$(sed -n 's/^[[:space:]]*"version":[[:space:]]*"\([^"]*\)".*/\1/p' "$MS_DIR/package.json" | head -1)"
[ -n "$MS_VERSION" ] || die "cannot read mediasoup version"

# Cache key: anything that changes the produced binary.
KEY="$(
  cd "$ROOT"
  { echo "infra/build-worker.sh"; find infra/worker -type f | LC_ALL=C sort; } |
    while read -r f; do printf '%s\n' "$f"; sha256sum < "$f"; done | sha256sum | cut -c1-16
)"
CACHE_BASE="${XDG_CACHE_HOME:-$HOME/.cache}/diemcau/mediasoup-worker"
OUT_DIR="$CACHE_BASE/$MS_VERSION-$KEY"
BIN="$OUT_DIR/mediasoup-worker"
mkdir -p "$CACHE_BASE"

# Smoke test: the mediasoup Node API drives the binary through a worker, a
# router, a WebRTC transport (DTLS/ICE setup) and an SRTP plain transport
# (exercises the libsrtp compatibility layer), then closes cleanly.
check_worker() {
  local bin="$1"
  [ -x "$bin" ] || return 1
  MEDIASOUP_WORKER_BIN="$bin" timeout 60 node -e '
    const mediasoup = require(process.argv[1]);
    (async () => {
      const worker = await mediasoup.createWorker({ logLevel: "error" });
      const router = await worker.createRouter({ mediaCodecs: [
        { kind: "audio", mimeType: "audio/opus", clockRate: 48000, channels: 2 } ] });
      const listenInfos = [{ protocol: "udp", ip: "127.0.0.1" }];
      const webrtc = await router.createWebRtcTransport({ listenInfos });
      if (webrtc.dtlsParameters.fingerprints.length === 0) throw new Error("no DTLS fingerprints");
      for (const suite of ["AEAD_AES_256_GCM", "AEAD_AES_128_GCM",
        "AES_CM_128_HMAC_SHA1_80", "AES_CM_128_HMAC_SHA1_32"]) {
        const plain = await router.createPlainTransport({
          listenInfo: listenInfos[0], enableSrtp: true, srtpCryptoSuite: suite });
        await plain.connect({ ip: "127.0.0.1", port: 9,
          srtpParameters: { cryptoSuite: suite, keyBase64: plain.srtpParameters.keyBase64 } });
        plain.close();
      }
      const usage = await worker.getResourceUsage();
      if (typeof usage.ru_maxrss !== "number") throw new Error("bad resource usage");
      worker.close();
      console.error("[build-worker] smoke test ok: mediasoup " + mediasoup.version);
    })().catch((error) => { console.error(error); process.exit(1); });
  ' "$MS_DIR" >&2
}

# Concurrent runs (e.g. two setups) wait for each other instead of racing.
exec 9>"$CACHE_BASE/.lock"
flock 9

if [ -x "$BIN" ]; then
  if check_worker "$BIN"; then
    log "using cached worker $BIN"
    echo "$BIN" >&3
    exit 0
  fi
  log "cached worker failed its check, rebuilding"
fi

# No prebuilt download is attempted: these machines only reach package
# registries, and the build below is the supported route.

command -v python3 >/dev/null || die "python3 is required (apt package python3)"
for tool in g++ pkg-config flatc node; do
  command -v "$tool" >/dev/null || die "$tool not found (see infra/setup.sh apt packages)"
done
for pc in libuv openssl libsrtp2 flatbuffers absl_strings absl_optional absl_flat_hash_map; do
  pkg-config --exists "$pc" || die "pkg-config cannot find $pc (see infra/setup.sh apt packages)"
done

# ---- meson + ninja in a venv under the cache ---------------------------------
VENV="$CACHE_BASE/tools/venv-meson-$MESON_VERSION"
if ! "$VENV/bin/meson" --version 2>/dev/null | grep -qx "$MESON_VERSION" || ! "$VENV/bin/ninja" --version >/dev/null 2>&1; then
  log "installing meson $MESON_VERSION and ninja into $VENV"
  rm -rf "$VENV"
  python3 -m venv "$VENV" || die "python3 -m venv failed (apt package python3-venv?)"
  # Few retries: an unreachable index should fail fast, a local one answers.
  "$VENV/bin/pip" install --quiet --retries 1 --timeout 15 "meson==$MESON_VERSION" ninja ||
    die "pip could not install meson==$MESON_VERSION and ninja"
fi
export PATH="$VENV/bin:$PATH"

# ---- build copy --------------------------------------------------------------
START=$(date +%s)
WORK="$CACHE_BASE/build-$MS_VERSION-$KEY"
# Failed builds keep their folder (logs) until the next build starts.
rm -rf "$CACHE_BASE"/build-*
mkdir -p "$WORK"
cp -a "$MS_DIR/worker" "$WORK/src"
SRC="$WORK/src"
# Drop anything a previous in-package build may have left.
rm -rf "$SRC/out" "$SRC/subprojects/packagecache"

# Shims: one per wrap, placed in the directory the wrap names, so meson uses
# it as the already-extracted subproject and never downloads.
for wrap in "$SRC"/subprojects/*.wrap; do
  name="$(basename "$wrap" .wrap)"
  case "$name" in catch2 | wingetopt) continue ;; esac # tests / Windows only
  shim="$ROOT/infra/worker/subprojects/$name"
  [ -d "$shim" ] || die "no shim for wrap '$name' (add infra/worker/subprojects/$name)"
  dir="$(sed -n 's/^[[:space:]]*directory[[:space:]]*=[[:space:]]*//p' "$wrap" | head -1)"
  [ -n "$dir" ] || die "wrap $name names no directory"
  rm -rf "$SRC/subprojects/$dir"
  cp -a "$shim" "$SRC/subprojects/$dir"
  cp "$ROOT/infra/worker/subprojects/empty.c" "$SRC/subprojects/$dir/empty.c"
done

# Patches: every one must apply exactly, or the build stops.
shopt -s nullglob
for p in "$ROOT"/infra/worker/patches/*.patch; do
  log "applying $(basename "$p")"
  (cd "$SRC" && git apply --verbose --whitespace=nowarn "$p") ||
    die "patch $(basename "$p") does not apply to mediasoup $MS_VERSION: update it"
done
shopt -u nullglob

# ---- configure + build (worker executable only) ------------------------------
log "configuring (mediasoup $MS_VERSION)"
meson setup "$WORK/out" "$SRC" \
  --buildtype=release -Db_ndebug=if-release -Db_pie=true -Db_staticpic=true \
  --wrap-mode=nodownload \
  -Dms_log_trace=false -Dms_log_file_line=false -Dms_build_tests=false -Dms_build_fuzzer=false \
  >"$WORK/configure.log" 2>&1 || { tail -40 "$WORK/configure.log" >&2; die "meson setup failed (log: $WORK/configure.log)"; }

log "compiling the worker (a few minutes on 2 cores)"
ninja -C "$WORK/out" mediasoup-worker >"$WORK/build.log" 2>&1 ||
  { grep -E -A8 'error|FAILED' "$WORK/build.log" | head -80 >&2; die "build failed (log: $WORK/build.log)"; }

built="$WORK/out/mediasoup-worker"
[ -x "$built" ] || die "build produced no mediasoup-worker"
strip "$built" 2>/dev/null || true
mkdir -p "$OUT_DIR"
cp "$built" "$BIN.tmp"
mv -f "$BIN.tmp" "$BIN"
log "built in $(($(date +%s) - START))s"

check_worker "$BIN" || die "the freshly built worker failed its smoke test"
rm -rf "$WORK"
echo "$BIN" >&3
