#!/usr/bin/env bash
# Save-to-findable latency of `lore index --watch`, and the CPU it uses while idle.
#
# Makes a knowledge base of FILES Markdown files (default 10,000) in a temporary LORE_HOME, runs
# `lore index --watch` on it, then EDITS times (default 20) appends a unique new word to one file and
# polls `lore search --json` until the word is found, timing each from the write. Afterwards it reads the
# watching process's utime+stime from /proc/PID/stat across IDLE seconds (default 10) of no changes.
#
#   swift build -c release --product lore && bench/watch.sh [path/to/lore]
set -euo pipefail
LORE=${1:-.build/release/lore}
FILES=${FILES:-10000}
EDITS=${EDITS:-20}
IDLE=${IDLE:-10}
WORK=$(mktemp -d)
trap 'kill "$WATCH_PID" 2>/dev/null || true; rm -rf "$WORK"' EXIT
export LORE_HOME=$WORK/home
mkdir -p "$WORK/kb"

python3 - "$WORK/kb" "$FILES" <<'PY'
import os, random, sys
root, count = sys.argv[1], int(sys.argv[2])
rng = random.Random(7)
words = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(3, 9))) for _ in range(5000)]
for i in range(count):
    folder = os.path.join(root, f"d{i // 100:03}")
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, f"note{i % 100:02}.md"), "w") as f:
        f.write(f"# Note {i}\n\n" + " ".join(rng.choice(words) for _ in range(200)) + "\n")
PY

"$LORE" kb add bench "$WORK/kb" >/dev/null
"$LORE" index --kb bench --watch >"$WORK/watch.out" 2>"$WORK/watch.err" &
WATCH_PID=$!
until grep -q "for changes" "$WORK/watch.err"; do sleep 0.05; done
# Let the catch-up refresh after the watches finish before timing anything.
sleep 1

now() { date +%s.%N; }
latencies=()
for i in $(seq 1 "$EDITS"); do
    word="zqwatch$RANDOM$i"
    file="$WORK/kb/d$(printf %03d $((i * 7 % (FILES / 100))))/note$(printf %02d $((i % 100))).md"
    start=$(now)
    printf '%s\n' "$word" >>"$file"
    until "$LORE" search --kb bench --json -k 1 "$word" | grep -q "$word"; do :; done
    latencies+=("$(echo "$(now) - $start" | bc -l)")
done

printf '%s\n' "${latencies[@]}" | sort -n | awk -v n="$EDITS" -v files="$FILES" '
    { v[NR] = $1 }
    END {
        p50 = v[int((n + 1) * 0.50)]; p95 = v[int((n + 1) * 0.95)] ; if (p95 == "") p95 = v[n]
        printf "save→findable over %d edits of a %s-file KB: p50 %.3f s, p95 %.3f s, max %.3f s\n", n, files, p50, p95, v[n]
    }'

sleep 1
ticks() { awk '{ print $14 + $15 }' "/proc/$WATCH_PID/stat"; }
before=$(ticks)
sleep "$IDLE"
after=$(ticks)
echo "idle CPU of the watching process over $IDLE s: $((after - before)) ticks (utime+stime, $(getconf CLK_TCK) per second)"
grep refreshed "$WORK/watch.out" | sed 's/.* in \([0-9.]*\) s$/\1/' | sort -n | awk '
    { v[NR] = $1 } END { printf "refreshes printed: %d; index run per refresh: median %.3f s, max %.3f s\n", NR, v[int((NR + 1) / 2)], v[NR] }'


kill -TERM "$WATCH_PID"
wait "$WATCH_PID" && echo "lore index --watch exited with status 0 after SIGTERM"
