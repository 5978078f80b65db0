#!/usr/bin/env bash
# Captures real replies from real local ZooKeeper nodes into test/fixtures/ (see scripts/capture-fixtures.ts).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f /usr/share/java/zookeeper.jar ] || { echo "needs Debian's zookeeper package: apt-get install -y zookeeper" >&2; exit 1; }
exec npx tsx scripts/capture-fixtures.ts
