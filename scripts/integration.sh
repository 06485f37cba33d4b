#!/usr/bin/env bash
# Integration suites need root and real parts (OVS, netns, tcpdump, QEMU, dockerd, chromium).
# Each file runs in its own mocha process (they set FABRIC_STATE_DIR/FABRIC_CAPTURE_DIR at import
# time) as a timed stage; every file runs even after a failure, and the exit status says if any failed.
set -uo pipefail
cd "$(dirname "$0")/.."
if [[ $(id -u) -ne 0 ]]; then
  echo "integration: needs root (netns, Open vSwitch); run make test as root" >&2
  exit 1
fi
# Cheapest first, so a broken foundation shows up early.
ORDER=(runtime capture report-chromium conformance faults docker clab vm failover failover-partial lifecycle)
shopt -s nullglob
files=()
for name in "${ORDER[@]}"; do [[ -f tests/integration/$name.test.ts ]] && files+=("tests/integration/$name.test.ts"); done
for f in tests/integration/*.test.ts; do [[ " ${files[*]} " == *" $f "* ]] || files+=("$f"); done
failed=()
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
for f in "${files[@]}"; do
  name=$(basename "$f" .test.ts)
  # Each stage's output is also kept, so a failure is re-printed last: CI logs show only their tail.
  bash scripts/stage.sh "integration:$name" npx mocha --config .mocharc.json --timeout 900000 "$f" 2>&1 | tee "$logs/$name.log"
  ((PIPESTATUS[0] == 0)) || failed+=("$name")
done
if ((${#failed[@]})); then
  for name in "${failed[@]}"; do
    echo "---- integration:$name failed; the end of its failure report:"
    report=$(sed -n '/^  [0-9]* failing/,$p' "$logs/$name.log")
    [[ -n $report ]] || report=$(cat "$logs/$name.log")
    tail -n 120 <<<"$report"
  done
  echo "integration: FAILED: ${failed[*]}"
  exit 1
fi
echo "integration: ${#files[@]} suites passed"
