#!/usr/bin/env bash
# Instruction counts of the hot paths (benches/instructions.rs, gungraun + Callgrind), compared
# with the committed baseline in benches/instructions.baseline: fails when any hot path costs
# more than 10 % more instructions. `benches/instructions.sh --save` rewrites the baseline.
#
# Installs what it needs: valgrind (Debian) and the gungraun-runner of the gungraun version in
# Cargo.lock (a few minutes of compiling, once per machine).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v valgrind >/dev/null 2>&1; then
    apt-get update -qq && apt-get install -y -qq valgrind >/dev/null
fi
version=$(awk '/^name = "gungraun"$/ { getline; print }' Cargo.lock | cut -d'"' -f2)
if ! gungraun-runner --version 2>/dev/null | grep -q "$version"; then
    cargo install gungraun-runner --version "$version" --locked
fi

home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
cargo bench --bench instructions -- --home="$home" | tee "$home/output.txt"
# One line per benchmark: its name and its instruction count.
awk '/^instructions::/ { name = $1 " " $2 } /^  Instructions:/ { split($2, n, "|"); print name, n[1] }' \
    "$home/output.txt" > "$home/current.txt"

if [ "${1:-}" = "--save" ]; then
    cp "$home/current.txt" benches/instructions.baseline
    echo "saved benches/instructions.baseline"
    exit 0
fi

status=0
while read -r bench id count; do
    base=$(awk -v b="$bench" -v i="$id" '$1 == b && $2 == i { print $3 }' benches/instructions.baseline)
    if [ -z "$base" ]; then
        echo "no baseline for $bench $id: run benches/instructions.sh --save"
        status=1
        continue
    fi
    change=$(awk -v n="$count" -v b="$base" 'BEGIN { printf "%+.1f", 100 * (n - b) / b }')
    echo "$bench $id: $count instructions ($change % against $base)"
    if awk -v n="$count" -v b="$base" 'BEGIN { exit !(n > 1.10 * b) }'; then
        echo "  regression: more than 10 % over the baseline"
        status=1
    fi
done < "$home/current.txt"

# Tracks: a state holding three tracks costs at most what the three tracks cost as playbooks of
# their own, plus 20 % (issue 17). Counts, unlike times, make this a stable check.
together=$(awk '$1 ~ /tracks_week$/ && $2 ~ /^together/ { print $3 }' "$home/current.txt")
alone=$(awk '$1 ~ /tracks_week$/ && $2 ~ /^alone_/ { sum += $3 } END { print sum }' "$home/current.txt")
ratio=$(awk -v t="$together" -v a="$alone" 'BEGIN { printf "%.2f", t / a }')
echo "tracks: together $together instructions, alone $alone in all: ratio $ratio (at most 1.20)"
if awk -v t="$together" -v a="$alone" 'BEGIN { exit !(t > 1.20 * a) }'; then
    echo "  regression: tracks cost more than 20 % over their parts"
    status=1
fi
exit $status
