#!/usr/bin/env bash
# stage NAME CMD...: run one pipeline stage and print how long it took, so slow stages show up in CI logs.
name=$1; shift
start=$(date +%s%N)
echo "==> stage ${name}"
"$@"
rc=$?
end=$(date +%s%N)
secs=$(awk -v a="$start" -v b="$end" 'BEGIN{printf "%.1f", (b-a)/1e9}')
echo "<== stage ${name}: $([[ $rc -eq 0 ]] && echo ok || echo "FAILED (exit $rc)") in ${secs} s"
exit $rc
