#!/usr/bin/env bash
# System packages the portal needs: a CJK font for PDFs, Chromium for browser tests,
# poppler for reading PDFs back in tests, HarfBuzz's font subsetter for fast PDFs.
# Installs them through apt-get when root; otherwise says which packages are missing and stops.
set -euo pipefail

missing=()
fc-list 2>/dev/null | grep -i "Noto Sans CJK" >/dev/null || missing+=(fonts-noto-cjk)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
command -v xgettext >/dev/null 2>&1 || missing+=(gettext)
command -v fc-list >/dev/null 2>&1 || missing+=(fontconfig)
python3 -c "import ctypes.util,sys; sys.exit(0 if ctypes.util.find_library('pango-1.0') else 1)" 2>/dev/null || missing+=(libpango-1.0-0 libpangoft2-1.0-0)
# HarfBuzz's subsetter: without it WeasyPrint subsets the PDF's fonts in Python, many times slower.
python3 -c "import ctypes.util,sys; sys.exit(0 if ctypes.util.find_library('harfbuzz-subset') else 1)" 2>/dev/null || missing+=(libharfbuzz-subset0)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "缺少系统软件包 / missing system packages: ${missing[*]}" >&2
  echo "请以 root 运行，或执行 / run as root:  sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi

echo "Installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
