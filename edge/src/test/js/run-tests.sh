#!/bin/sh
# Runs client.js's unit tests with Node's built-in test runner (no npm packages). Called by `mvn test` in the edge
# module. Without Node the build fails here, never passes silently: as root on Debian it installs the nodejs
# package, otherwise it says what to install.
set -eu
here=$(cd "$(dirname "$0")" && pwd)

if ! command -v node >/dev/null 2>&1; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
        echo "edge: node is missing; installing Debian's nodejs to run the client.js tests" >&2
        apt-get update
        DEBIAN_FRONTEND=noninteractive apt-get install -y nodejs
    else
        echo "edge: the client.js unit tests need Node.js 18 or newer (node --test), and 'node' is not on PATH." >&2
        echo "  Install it (Debian: apt-get install nodejs), or skip all tests with -DskipTests." >&2
        exit 1
    fi
fi

major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 18 ]; then
    echo "edge: the client.js unit tests need Node.js 18 or newer; found $(node --version)" >&2
    exit 1
fi

echo "edge: client.js unit tests with node $(node --version)"
exec node --test --test-reporter=spec "$here"/*.test.mjs
