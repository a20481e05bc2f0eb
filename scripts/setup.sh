#!/usr/bin/env bash
# Installs what Caldera builds against (OpenSSL, zstd, lz4, SQLite, libsecp256k1 with its recovery module),
# the compressors the claims compare with (zstd, xz, brotli), python3-venv for Contracts/ (its Python packages
# come from PyPI in .ci/run) and the headless browser the page tests render with (chromium), from Debian's
# packages, only if something is missing. Idempotent.
set -euo pipefail
missing=()
for h in zstd.h lz4.h openssl/evp.h sqlite3.h secp256k1.h secp256k1_recovery.h; do [ -e "/usr/include/$h" ] || missing+=("$h"); done
for c in zstd xz brotli openssl chromium; do command -v "$c" >/dev/null || missing+=("$c"); done
# Contracts/ tests run in a virtual environment (python3 -m venv needs ensurepip, Debian's python3-venv).
python3 -c 'import ensurepip' 2>/dev/null || missing+=("python3-venv")
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null; then
  echo "error: missing ${missing[*]}; install OpenSSL, zstd, lz4, SQLite and libsecp256k1 development files, the zstd, xz and brotli tools and chromium" >&2
  exit 2
fi
echo "installing Caldera's system packages (missing: ${missing[*]})…" >&2
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq libssl-dev libzstd-dev liblz4-dev libsqlite3-dev libsecp256k1-dev zstd xz-utils brotli openssl python3-venv >/dev/null
# The browser only if it is what is missing (it is large): the HTML page tests skip without it.
command -v chromium >/dev/null || $SUDO apt-get install -y -qq chromium >/dev/null
