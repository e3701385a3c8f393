#!/bin/sh
# Makes sure Debian's Chromium and its matching chromedriver are installed before the browser tests run.
# Selenium is pointed at exactly these two binaries, so it never tries to download a browser (which cannot work on
# a closed CI network). Installs them when missing and running as root; otherwise fails and says what to install.
set -eu

CHROMIUM=${MESHGATE_CHROMIUM:-/usr/bin/chromium}
CHROMEDRIVER=${MESHGATE_CHROMEDRIVER:-/usr/bin/chromedriver}

if [ -x "$CHROMIUM" ] && [ -x "$CHROMEDRIVER" ]; then
    exit 0
fi

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "browser-tests: $CHROMIUM or $CHROMEDRIVER missing; installing Debian's chromium and chromium-driver" >&2
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver
else
    echo "browser-tests: need $CHROMIUM and $CHROMEDRIVER (Debian packages chromium and chromium-driver)." >&2
    echo "  Install them as root: apt-get update && apt-get install -y chromium chromium-driver" >&2
    echo "  or point MESHGATE_CHROMIUM / MESHGATE_CHROMEDRIVER at another Chromium and its matching chromedriver," >&2
    echo "  or skip this module's tests with -DskipTests." >&2
    exit 1
fi

if [ ! -x "$CHROMIUM" ] || [ ! -x "$CHROMEDRIVER" ]; then
    echo "browser-tests: installed the packages, but $CHROMIUM or $CHROMEDRIVER is still missing" >&2
    exit 1
fi
