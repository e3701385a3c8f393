#!/bin/sh
# Runs client.mjs's unit tests with Node's built-in test runner, on the node found on PATH and on Node 18, the oldest
# Node the client supports (Debian 12's nodejs is 18.20.4). Called by `mvn test` in the edge module with
# MESHGATE_NODE18 set to the npm `node` package version pinned in the parent pom. Never passes silently: without
# Node, or when Node 18 cannot be had, the build fails here. As root on Debian it installs what is missing (nodejs,
# and npm when the node on PATH is not 18); otherwise it says what to install.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
node18=${MESHGATE_NODE18:-18.20.8}

install_debian() {
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
        echo "edge: installing Debian's $* to run the client.mjs tests" >&2
        apt-get update
        DEBIAN_FRONTEND=noninteractive apt-get install -y "$@"
        return 0
    fi
    return 1
}

if ! command -v node >/dev/null 2>&1; then
    install_debian nodejs || {
        echo "edge: the client.mjs unit tests need Node.js 18 or newer (node --test), and 'node' is not on PATH." >&2
        echo "  Install it (Debian: apt-get install nodejs), or skip all tests with -DskipTests." >&2
        exit 1
    }
fi

major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 18 ]; then
    echo "edge: the client.mjs unit tests need Node.js 18 or newer; found $(node --version)" >&2
    exit 1
fi

echo "edge: client.mjs unit tests with node $(node --version)"
node --test --test-reporter=spec "$here"/*.test.mjs

if [ "$major" = "18" ]; then
    exit 0
fi

# The node on PATH is newer: run the same suite on Node 18 from npm's `node` package as well.
if ! command -v npx >/dev/null 2>&1; then
    install_debian npm || {
        echo "edge: the client.mjs tests also run on Node 18, and neither node 18 nor npx is on PATH." >&2
        echo "  Install npm (Debian: apt-get install npm) or put Node 18 first on PATH; or skip with -DskipTests." >&2
        exit 1
    }
fi
echo "edge: client.mjs unit tests with node $node18 (npm package node@$node18)"
actual=$(npx -y -p "node@$node18" -- node --version) || {
    echo "edge: could not get Node $node18 through npx (npm package node@$node18); the Node 18 run is required." >&2
    exit 1
}
case "$actual" in
    v18.*) ;;
    *) echo "edge: npx node@$node18 ran $actual, not Node 18" >&2; exit 1 ;;
esac
exec npx -y -p "node@$node18" -- node --test --test-reporter=spec "$here"/*.test.mjs
