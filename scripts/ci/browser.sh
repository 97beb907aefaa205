#!/usr/bin/env bash
# Headless Chromium for the stock-tfjs browser test (driven by playwright-core). Debian's package; idempotent, quick
# when installed; prints one line and exits 0 when it cannot install (the test then says why it did not run).
set -u
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then echo "chromium missing and not installable here: the browser test is skipped"; exit 0; fi
(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) ||
  echo "apt could not install chromium: the browser test is skipped"
exit 0
