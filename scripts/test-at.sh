#!/usr/bin/env bash
# Runs the test suite as if the wall clock read another date: `npm run test:at -- WHEN [vitest args]`,
# e.g. `npm run test:at -- '2028-02-29 23:55:00'` (UTC). libfaketime (Debian's `faketime`) shifts
# the real-time clock of every process the run starts (the test runner, the stations it spawns,
# the CLI, Chromium) to start at WHEN and then tick at the normal rate; the monotonic clock that
# timers use is left alone. Start a few minutes before midnight to cross a day, month or year
# boundary while the suite runs. PostgreSQL, when PARLEY_TEST_PG names a server already running,
# keeps its own clock, as a real deployment's database would.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -lt 1 ]; then
  echo "usage: scripts/test-at.sh 'YYYY-MM-DD hh:mm:ss' [vitest args…]" >&2
  exit 2
fi
when="$1"
shift
if ! command -v faketime >/dev/null 2>&1; then
  echo "faketime is not installed (apt-get install faketime)" >&2
  exit 2
fi
npx tsc -b
node scripts/build-console.mjs
export TZ="${TZ:-UTC}" FAKETIME_DONT_FAKE_MONOTONIC=1 FAKETIME_DONT_RESET=1
echo "::: the suite starts at $when (TZ=$TZ) (real time $(date -u '+%F %T'))"
exec faketime -f "@$when" npx vitest run "$@"
