#!/usr/bin/env bash
# The whole test suite, as CI runs it: installs what is missing, type-checks, lints (ESLint,
# formatting, layering, unused code: scripts/lint.sh), runs the unit tests, builds, then runs the
# integration tests (real ZooKeeper, Prometheus) one file at a time. A lint failure fails the run
# (and counts as one failure in the closing line) but the tests still run, so one run shows both.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
if ! npm ls --depth=0 >/dev/null 2>&1; then npm ci --no-audit --no-fund; fi
npm run --silent typecheck
results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
status=0
lint_failed=0
npm run --silent lint || { status=1; lint_failed=1; }
npx vitest run --project unit --reporter=default --reporter=json --outputFile.json="$results/unit.json" || status=$?
npm run --silent build
npx vitest run --project integration --reporter=default --reporter=json --outputFile.json="$results/integration.json" || status=$?
# One plain closing line for whoever reads the log: totals over both projects.
node -e '
  const fs = require("node:fs");
  let passed = 0, failed = Number(process.argv[1]), skipped = 0;
  for (const f of process.argv.slice(2)) {
    if (!fs.existsSync(f)) { failed++; continue; }
    const r = JSON.parse(fs.readFileSync(f, "utf8"));
    passed += r.numPassedTests; failed += r.numFailedTests; skipped += r.numPendingTests + r.numTodoTests;
  }
  console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
' "$lint_failed" "$results/unit.json" "$results/integration.json"
exit $status
