#!/usr/bin/env bash
# Starts a real local 3-node ZooKeeper ensemble on free loopback ports plus the agent against it,
# and prints where /metrics is. Installs Debian's zookeeper package when missing. Ctrl-C stops all.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
if ! npm ls --depth=0 >/dev/null 2>&1; then npm ci --no-audit --no-fund; fi
npm run --silent build
exec npx tsx scripts/demo.ts "$@"
