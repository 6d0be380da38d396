#!/usr/bin/env bash
# Install what the real-browser test (tests/test_browser.py) needs and nothing else: Debian's chromium.
# Nothing else in troika needs a system package: the charts' Chinese font comes with pip install
# (noto-cjk-sans-otc), and the browser test hands that same font to chromium through fontconfig.
# Idempotent: nothing runs when chromium is present.
# Run as root (CI) or with sudo available. Usage: scripts/install_browser.sh
set -euo pipefail

packages=(chromium)
missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done

if [ ${#missing[@]} -eq 0 ]; then
    echo "install_browser: chromium already installed"
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
