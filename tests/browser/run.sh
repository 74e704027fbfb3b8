#!/usr/bin/env bash
# Browser tests: make sure Debian's Chromium is there (CI runs as root on Debian), then run them.
# Extra arguments go to pytest, e.g.  SOURCETRACE_SCREENSHOT=docs/report-screenshot.png bash tests/browser/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! command -v "${SOURCETRACE_CHROMIUM:-/usr/bin/chromium}" >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "error: Chromium is missing; install it with: sudo apt-get install -y chromium" >&2
    exit 1
  fi
fi
exec python -m pytest tests/browser -m browser "$@"
