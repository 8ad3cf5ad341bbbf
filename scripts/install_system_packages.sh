#!/usr/bin/env bash
# Debian packages the tests use: Chromium for the browser journeys, poppler-utils
# (pdftotext, pdftoppm) to read back PDFs, Pango and Liberation fonts for WeasyPrint. Installs only
# what is missing, and only where it can (root with apt-get).
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
ldconfig -p 2>/dev/null | grep -q libpango-1.0 || missing+=(libpango-1.0-0 libpangoft2-1.0-0)
# Liberation Sans has Arial's metrics: the reports and certificates are set in it.
fc-list 2>/dev/null | grep -qi "Liberation Sans" || missing+=(fonts-liberation)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "Please install these Debian packages: ${missing[*]} (the browser and PDF tests need them)" >&2
fi
