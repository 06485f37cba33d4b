#!/usr/bin/env bash
# Integration suites need root and real parts (OVS, netns, tcpdump, QEMU, dockerd).
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ $(id -u) -ne 0 ]]; then
  echo "integration: needs root (netns, Open vSwitch); run make test as root" >&2
  exit 1
fi
shopt -s nullglob
files=(tests/integration/*.test.ts)
if ((${#files[@]} == 0)); then echo "integration: no suites yet"; exit 0; fi
exec npx mocha --config .mocharc.json --timeout 600000 "${files[@]}"
