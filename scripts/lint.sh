#!/usr/bin/env bash
# Static checks, as CI runs them (`npm run lint`): ESLint with type information, the formatter
# check, the layering rules of src/ and unused files, exports and dependencies. Every check runs
# even when an earlier one fails, so one run shows every problem; the exit code is non-zero when
# any failed.
set -uo pipefail
cd "$(dirname "$0")/.."
status=0
failed=()
run() {
  local name=$1
  shift
  local start=$SECONDS
  echo "== $name: $*"
  if "$@"; then
    echo "== $name: ok ($((SECONDS - start))s)"
  else
    echo "== $name: FAILED ($((SECONDS - start))s)"
    failed+=("$name")
    status=1
  fi
}
run eslint npx --no-install eslint --max-warnings 0 .
run format npx --no-install prettier --check --log-level warn '**/*.{ts,mts,cts,js,mjs,cjs}'
run layers npx --no-install depcruise --output-type err src test scripts bench alerts dashboards
run unused npx --no-install knip --no-progress
if ((status)); then echo "lint failed: ${failed[*]}"; else echo "lint passed"; fi
exit $status
