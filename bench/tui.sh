#!/usr/bin/env bash
# Measures the terminal UI against the figures of issue 4, with the release build inside tmux:
#   1. first complete frame after launch on sample-kb (target ≤ 150 ms)
#   2. keystroke to screen (≤ 10 ms)
#   3. CPU while an answer streams at 2,000 tokens/s from a loopback server (rendering < 25 % of a core)
#   4. CPU when idle, in clock ticks over 5 s (0)
#   5. resident memory with the PostgreSQL docs knowledge base open (≤ 40 MB)
# Frame times come from the runtime's opt-in trace (LORE_TRACE=file: one line per frame with its wall
# time, view+diff and curses output microseconds, and input-read→doupdate microseconds after a key);
# CPU and memory from /proc/PID/stat and /proc/PID/status.
#
# usage: bench/tui.sh [--no-build] [--skip-pg]
#   LORE_BINARY=path   use this binary instead of building .build-tuie2e/release/lore
#   BENCH_HOME=dir     keep LORE_HOME here (the PostgreSQL index is built once and reused)
#   RUNS=n             launches for the first-frame figure (default 7)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=1
pg=1
for arg in "$@"; do
    case $arg in
        --no-build) build=0 ;;
        --skip-pg) pg=0 ;;
        *) echo "usage: $0 [--no-build] [--skip-pg]" >&2; exit 2 ;;
    esac
done
command -v tmux >/dev/null || { echo "bench/tui.sh needs tmux" >&2; exit 1; }
command -v python3 >/dev/null || { echo "bench/tui.sh needs python3" >&2; exit 1; }

lore=${LORE_BINARY:-$root/.build-tuie2e/release/lore}
if [[ -z ${LORE_BINARY:-} && $build == 1 ]]; then
    (cd "$root" && swift build -c release --product lore --static-swift-stdlib --scratch-path .build-tuie2e >&2)
fi
[[ -x $lore ]] || { echo "no lore binary at $lore" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/lore-tui-bench.XXXXXX")
home=${BENCH_HOME:-$work/home}
mkdir -p "$home/config"
socket=lore-tui-bench-$$
server_pid=
cleanup() {
    tmux -L "$socket" kill-server 2>/dev/null || true
    [[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
clk_tck=$(getconf CLK_TCK)

# An OpenAI-compatible server on an ephemeral loopback port: GET lists one model; POST streams
# $TOKENS chunks, one SSE event per token, paced at $RATE tokens per second.
cat >"$work/sse.py" <<'PY'
import http.server, json, os, sys, time
rate, count = float(os.environ["RATE"]), int(os.environ["TOKENS"])
def event(delta, finish=None):
    chunk = {"id": "b", "object": "chat.completion.chunk", "model": "bench",
             "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
    return b"data: " + json.dumps(chunk).encode() + b"\n\n"
def piece(i):
    # Paragraphs of 80 tokens, each citing, as an answer is written; one token per event.
    if i % 80 == 79: return "[%d].\n\n" % (i // 80 % 2 + 1)
    return "tok%d " % i
class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *args): pass
    def do_GET(self):
        body = b'{"object":"list","data":[{"id":"bench","object":"model"}]}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Connection", "close")
        self.end_headers()
        start = time.monotonic()
        sent = 0
        try:
            while sent < count:
                # Everything due by now in one write; the pacing is per token, the syscalls per ~ms.
                due = min(count, int((time.monotonic() - start) * rate) + 1)
                out = b"".join(event({"content": piece(i)}) for i in range(sent, due))
                self.wfile.write(out)
                self.wfile.flush()
                sent = due
                time.sleep(0.001)
            self.wfile.write(event({}, "stop") + b"data: [DONE]\n\n")
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass
        self.close_connection = True
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
PY
RATE=2000 TOKENS=${TOKENS:-20000} python3 "$work/sse.py" >"$work/port" &
server_pid=$!
for _ in $(seq 100); do [[ -s $work/port ]] && break; sleep 0.05; done
port=$(cat "$work/port")
# The [model] table points at this run's server; whatever else the config holds (a reused BENCH_HOME's
# [kb.pg]) stays. Top-level keys must precede the first table, so the new table goes last.
config=$home/config/config.toml
touch "$config"
awk '/^\[/ { skip = ($0 == "[model]") } !skip' "$config" >"$work/config.toml"
printf '\n[model]\nprovider = "openai"\nbase_url = "http://127.0.0.1:%s/v1"\n' "$port" >>"$work/config.toml"
cp "$work/config.toml" "$config"

# --- helpers ---------------------------------------------------------------------------------------
t() { tmux -L "$socket" -f /dev/null "$@"; }
screen() { t capture-pane -p -t bench; }
# wait_for TEXT [SECONDS]: polls the screen until TEXT shows.
wait_for() {
    local deadline=$((SECONDS + ${2:-60}))
    until screen | grep -qF -- "$1"; do
        ((SECONDS < deadline)) || { echo "timed out waiting for: $1" >&2; screen >&2; exit 1; }
        sleep 0.02
    done
}
# launch TRACEFILE ARGS…: starts lore in a fresh 120x40 session; the shell notes the wall clock in µs
# right before exec, which is the launch time the first-frame figure counts from.
launch() {
    local trace=$1
    shift
    t kill-server 2>/dev/null || true
    rm -f "$trace" "$work/t0"
    t new-session -d -s bench -x 120 -y 40 -e "LORE_HOME=$home" -e "LORE_TRACE=$trace" -e LANG=C.UTF-8 \
        "cd '$root' && date +%s%6N >'$work/t0' && exec '$lore' $*"
    for _ in $(seq 200); do [[ -s $work/t0 ]] && break; sleep 0.01; done
}
lore_pid() { t display-message -p -t bench '#{pane_pid}'; }
# CPU ticks (user+system) of a process, or of one thread with PID/task/TID.
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# thread_ticks PID: "TID TICKS NAME" per thread. The comm field is the 2nd, in parentheses, and has no
# spaces for Lore's threads, so plain field numbers hold.
thread_ticks() {
    for task in /proc/"$1"/task/*; do
        [[ -r $task/stat ]] && awk -v n="$(cat "$task/comm" 2>/dev/null)" '{ print $1, $14 + $15, n }' "$task/stat"
    done
}
quit() { t send-keys -t bench C-q; sleep 0.2; t kill-server 2>/dev/null || true; }
median() { sort -n | awk '{ a[NR] = $1 } END { if (NR) print a[int((NR + 1) / 2)]; else print "-" }'; }
pct() { sort -n | awk -v p="$1" '{ a[NR] = $1 } END { if (NR) { i = int(NR * p / 100 + 0.999); print a[i < 1 ? 1 : i] } else print "-" }'; }
field() { sed -n "s/.*[ ]$1=\([^ ]*\).*/\1/p"; }

echo "lore: $lore"
echo "LORE_HOME: $home    model server: 127.0.0.1:$port"

# --- 1. first complete frame ------------------------------------------------------------------------
# A first launch indexes sample-kb into LORE_HOME; the measured launches find it up to date, as a person
# opening Lore for the second time would.
launch "$work/warm.trace" --kb ./sample-kb
wait_for "up to date"
quit
first=() counts=() complete=()
for _ in $(seq "${RUNS:-7}"); do
    launch "$work/launch.trace" --kb ./sample-kb
    wait_for "up to date"
    t0=$(cat "$work/t0")
    first+=($(($(head -1 "$work/launch.trace" | field wall_us) - t0)))
    counts+=($(($(grep -m1 ' kb=1' "$work/launch.trace" | field wall_us) - t0)))
    complete+=($(($(grep -m1 ' kb=1 model=1' "$work/launch.trace" | field wall_us) - t0)))
    quit
done
ms() { awk '{ printf "%.1f", $1 / 1000 }'; }
echo
echo "1. launch → frame on screen (ms), ${RUNS:-7} launches, median / max:"
echo "   first frame                          $(printf '%s\n' "${first[@]}" | median | ms) / $(printf '%s\n' "${first[@]}" | sort -n | tail -1 | ms)"
echo "   first frame with the KB's counts     $(printf '%s\n' "${counts[@]}" | median | ms) / $(printf '%s\n' "${counts[@]}" | sort -n | tail -1 | ms)"
echo "   first complete frame (KB and model)  $(printf '%s\n' "${complete[@]}" | median | ms) / $(printf '%s\n' "${complete[@]}" | sort -n | tail -1 | ms)   target ≤ 150"

# --- 2. keystroke to screen -------------------------------------------------------------------------
trace=$work/session.trace
launch "$trace" --kb ./sample-kb
wait_for "up to date"
sleep 0.5
pid=$(lore_pid)
sample_rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$pid/status")
sample_anon=$(awk '/^RssAnon/ { print $2 }' "/proc/$pid/status")
mark=$(wc -l <"$trace")
for i in $(seq 60); do
    t send-keys -t bench -l "$((i % 10))"
    sleep 0.03
done
wait_for "$(seq 60 | awk '{ printf "%d", $1 % 10 }' | tail -c 20)"
keys=$(tail -n +"$((mark + 1))" "$trace" | field input_us | grep -v -- -)
echo
echo "2. keystroke → doupdate (ms), $(echo "$keys" | wc -l) frames after 60 keys: median $(echo "$keys" | median | ms)," \
     "p95 $(echo "$keys" | pct 95 | ms), max $(echo "$keys" | sort -n | tail -1 | ms)   target ≤ 10"
t send-keys -t bench C-u

# --- 3. streaming at 2,000 tokens/s -----------------------------------------------------------------
t send-keys -t bench -l "what is lore"
t send-keys -t bench Enter
for _ in $(seq 500); do grep -q 'streaming=1' "$trace" && break; sleep 0.01; done
wait_for "streaming"
sleep 1
window=6
start_wall=$(date +%s%6N)
p0=$(ticks "$pid")
thread_ticks "$pid" >"$work/threads0"
sleep "$window"
p1=$(ticks "$pid")
thread_ticks "$pid" >"$work/threads1"
end_wall=$(date +%s%6N)
frames=$(awk -v a="$start_wall" -v b="$end_wall" '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
    if (f["wall_us"] >= a && f["wall_us"] <= b) { n++; build += f["build_us"]; out += f["output_us"];
    if (f["build_us"] + f["output_us"] > worst) worst = f["build_us"] + f["output_us"] } }
    END { printf "%d %d %d %d", n, build, out, worst }' "$trace")
read -r nframes build_us output_us worst_us <<<"$frames"
span=$((end_wall - start_wall))
echo
echo "3. streaming 2,000 tok/s for ${window} s ($nframes frames, $(awk -v n="$nframes" -v s="$span" 'BEGIN { printf "%.0f", n / s * 1e6 }') fps):"
echo "   rendering (view + diff + curses)     $(awk -v b="$build_us" -v o="$output_us" -v s="$span" 'BEGIN { printf "%.1f %%", (b + o) / s * 100 }') of a core" \
     "(view+diff $(awk -v b="$build_us" -v s="$span" 'BEGIN { printf "%.1f", b / s * 100 }') %, curses $(awk -v o="$output_us" -v s="$span" 'BEGIN { printf "%.1f", o / s * 100 }') %;" \
     "worst frame $(echo "$worst_us" | ms) ms)   target < 25 %"
# Swift's async main hands the main queue to a dispatch worker (dispatch_main ends the main thread), so
# the UI thread is found by its CPU: the busiest threads over the window.
busiest=$(awk 'NR == FNR { before[$1] = $2; next } { printf "%d %s\n", $2 - before[$1], $3 }' \
    "$work/threads0" "$work/threads1" | sort -rn | head -3 |
    awk -v h="$clk_tck" -v w="$window" '{ printf "%s%s %.1f %%", (NR > 1 ? ", " : ""), $2, $1 / h / w * 100 }')
echo "   busiest threads                      $busiest"
echo "   whole process (+ HTTP, parsing)      $(awk -v d=$((p1 - p0)) -v h="$clk_tck" -v w="$window" 'BEGIN { printf "%.1f %%", d / h / w * 100 }')"
answer_len=$(screen | grep -o 'tok[0-9]*' | tail -1)
echo "   answer so far reaches                $answer_len"

# --- 4. idle ----------------------------------------------------------------------------------------
t send-keys -t bench Escape
wait_for "stopped"
sleep 1
i0=$(ticks "$pid")
sleep 5
i1=$(ticks "$pid")
echo
echo "4. idle for 5 s after the answer: $((i1 - i0)) CPU ticks (1 tick = $((1000 / clk_tck)) ms)   target 0"
quit

# --- 5. memory with the PostgreSQL docs ---------------------------------------------------------------
if [[ $pg == 1 ]]; then
    docs=/usr/share/doc/postgresql-doc-15/html
    if [[ ! -d $docs ]]; then
        echo
        echo "5. skipped: $docs is missing (apt-get install postgresql-doc-15)"
    else
        if ! LORE_HOME=$home "$lore" kb list 2>/dev/null | grep -Eq '^[* ] +pg +'; then
            echo
            echo "   indexing $docs as pg (once per LORE_HOME) …"
            LORE_HOME=$home "$lore" kb add pg "$docs" >/dev/null
        fi
        launch "$work/pg.trace" --kb pg
        wait_for "up to date" 120
        sleep 1
        pid=$(lore_pid)
        open_rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$pid/status")
        open_anon=$(awk '/^RssAnon/ { print $2 }' "/proc/$pid/status")
        open_pss=$(awk '/^Pss:/ { print $2 }' "/proc/$pid/smaps_rollup" 2>/dev/null || echo 0)
        open_hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$pid/status")
        t send-keys -t bench -l "how do I reclaim disk space with vacuum"
        t send-keys -t bench Enter
        wait_for "streaming"
        sleep 2
        t send-keys -t bench Escape
        wait_for "stopped"
        sleep 0.5
        asked_rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$pid/status")
        asked_hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$pid/status")
        status_line=$(screen | grep -F ' pg │' | tail -1 | sed 's/  */ /g')
        mb() { awk -v k="$1" 'BEGIN { printf "%.1f MB", k / 1024 }'; }
        echo
        echo "5. PostgreSQL docs KB ($status_line)"
        echo "   open and up to date: RSS $(mb "$open_rss") (peak $(mb "$open_hwm"))   target ≤ 40 MB"
        echo "     of which anonymous (heap, stacks) $(mb "$open_anon"), the rest mapped code and data of the"
        echo "     binary and shared libraries; proportional share (PSS) $(mb "$open_pss")"
        echo "   for comparison, sample-kb open: RSS $(mb "$sample_rss"), anonymous $(mb "$sample_anon")"
        echo "   after a question streamed 2 s: RSS $(mb "$asked_rss") (peak $(mb "$asked_hwm"))"
        quit
    fi
fi
