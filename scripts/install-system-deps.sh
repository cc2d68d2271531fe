#!/usr/bin/env bash
# Debian packages the project needs beyond Python: Chromium (browser tests, chart images through
# kaleido), its driver, fonts with Vietnamese glyphs, poppler and LibreOffice Impress (exported PDF pages and
# PowerPoint slides rendered to PNG by the tests). Installs only what is missing.
set -euo pipefail
packages=(chromium chromium-driver fonts-noto-core fonts-noto-color-emoji poppler-utils libreoffice-impress-nogui)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "Cài gói hệ thống: ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO="sudo"; else
  echo "Cần quyền root để cài: ${missing[*]}" >&2; exit 1; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
