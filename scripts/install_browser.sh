#!/usr/bin/env bash
# Install what the real-browser test and the Chinese chart labels need: Debian's chromium and the Noto
# CJK fonts (Debian's chromium ships no Chinese fonts; matplotlib finds Noto Sans CJK through them).
# Idempotent: packages already installed are skipped, and nothing runs when both are present.
# Run as root (CI) or with sudo available. Usage: scripts/install_browser.sh
set -euo pipefail

packages=(chromium fonts-noto-cjk)
missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done

if [ ${#missing[@]} -eq 0 ]; then
    echo "install_browser: chromium and fonts-noto-cjk already installed"
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "install_browser: need root (or sudo) to install: ${missing[*]}" >&2
        exit 1
    fi
fi

echo "install_browser: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
# matplotlib caches the font list: drop the cache so the new fonts are seen on the next import.
rm -rf "${HOME:-/root}/.cache/matplotlib" 2>/dev/null || true
