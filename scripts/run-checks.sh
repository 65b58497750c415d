#!/bin/sh
# Run every unit test (meson) and every system test (pytest) against the build
# in $BUILD (default: build), then print the total as the last line:
#   "N passed, N failed"   (", N skipped" appended when pytest skipped some)
# Exit status: 0 only if nothing failed.
set -u

cd "$(dirname "$0")/.." || exit 2
BUILD=${BUILD:-build}
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

case "$BUILD" in
/*) build_abs=$BUILD ;;
*) build_abs=$(pwd)/$BUILD ;;
esac

if [ ! -f "$BUILD/build.ninja" ]; then
	echo "run-checks: $BUILD is not a meson build directory (run make first)" >&2
	echo "0 passed, 1 failed"
	exit 1
fi

# --- unit tests -------------------------------------------------------------
testlog="$BUILD/meson-logs/testlog.json"
rm -f "$testlog"
meson test -C "$BUILD" --print-errorlogs
unit_rc=$?
# testlog.json: one JSON object per test with "result" (OK, FAIL, SKIP,
# TIMEOUT, ERROR, EXPECTEDFAIL, UNEXPECTEDPASS).
unit_counts=$("$PY" - "$testlog" "$unit_rc" <<'PYEOF'
import json, sys
path, rc = sys.argv[1], int(sys.argv[2])
ok = bad = skip = 0
try:
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            r = json.loads(line).get("result", "")
            if r in ("OK", "EXPECTEDFAIL"):
                ok += 1
            elif r == "SKIP":
                skip += 1
            else:
                bad += 1
except OSError:
    pass
if rc != 0 and bad == 0:
    bad = 1  # meson itself failed (e.g. could not build a test)
print(ok, bad, skip)
PYEOF
)
read -r unit_ok unit_bad unit_skip <<EOF
$unit_counts
EOF
echo "run-checks: unit tests: $unit_ok passed, $unit_bad failed, $unit_skip skipped"

# --- system tests -----------------------------------------------------------
junit="$build_abs/pytest-system.xml"
rm -f "$junit"
# A hard ceiling so a hung test can never hang CI (each test has its own timeouts).
BURROW_BUILD_DIR="$build_abs" timeout -k 10 1080 "$PY" -m pytest -q tests/system \
	--junitxml="$junit" -o junit_family=xunit2
sys_rc=$?
sys_counts=$("$PY" - "$junit" "$sys_rc" <<'PYEOF'
import sys
import xml.etree.ElementTree as ET
path, rc = sys.argv[1], int(sys.argv[2])
tests = failed = skipped = 0
try:
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    for s in suites:
        tests += int(s.get("tests", 0))
        failed += int(s.get("failures", 0)) + int(s.get("errors", 0))
        skipped += int(s.get("skipped", 0))
except (OSError, ET.ParseError):
    pass
# pytest exit codes: 0 ok, 1 tests failed, 5 nothing collected; anything else
# (interrupted, internal error, usage error, timeout) is a failure of its own.
if rc not in (0, 1, 5) or (rc == 1 and failed == 0):
    failed += 1
    tests += 1
print(tests - failed - skipped, failed, skipped)
PYEOF
)
read -r sys_ok sys_bad sys_skip <<EOF
$sys_counts
EOF
echo "run-checks: system tests: $sys_ok passed, $sys_bad failed, $sys_skip skipped"

passed=$((unit_ok + sys_ok))
failed=$((unit_bad + sys_bad))
skipped=$((unit_skip + sys_skip))
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
