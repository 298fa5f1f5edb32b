#!/usr/bin/env bash
# PDF text extraction on a real corpus, Lore beside pdftotext in one run (issue 9's figures):
#   1. pages/s of `pdftotext` over every PDF of Debian's texlive-latex-base-doc and
#      texlive-latex-recommended-doc, one after the other;
#   2. pages/s of `lore bench pdf` over the same files (load + chunk, one thread), and its peak RSS
#      (target: Lore at least 90 % of pdftotext's pages/s), by wall time and by CPU time;
#   3. `lore bench index` over a folder linking to the same files: the whole indexer, two parsing
#      threads and SQLite, and its peak RSS (target ≤ 200 MB).
# Pages are counted with pdfinfo, outside the timing. The files are read once before timing, so both
# tools start from a warm page cache.
#
# usage: bench/pdf.sh [--no-build]
#   LORE_BINARY=path   use this binary instead of building .build/release/lore
#   SCRATCH=dir        the build's scratch path (default .build)
#   needs: apt-get install poppler-utils texlive-latex-base-doc texlive-latex-recommended-doc
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=1
for arg in "$@"; do
    case $arg in
        --no-build) build=0 ;;
        *) echo "usage: $0 [--no-build]" >&2; exit 2 ;;
    esac
done
for tool in pdftotext pdfinfo dpkg; do
    command -v $tool >/dev/null || { echo "bench/pdf.sh needs $tool (apt-get install poppler-utils)" >&2; exit 1; }
done

scratch=${SCRATCH:-.build}
if [ -n "${LORE_BINARY:-}" ]; then
    lore=$LORE_BINARY
else
    lore=$root/$scratch/release/lore
    if [ $build = 1 ]; then (cd "$root" && swift build -c release --scratch-path "$scratch" --product lore >&2); fi
fi
[ -x "$lore" ] || { echo "no lore binary at $lore" >&2; exit 1; }

mapfile -t files < <(dpkg -L texlive-latex-base-doc texlive-latex-recommended-doc 2>/dev/null | grep '\.pdf$' | sort -u |
                     while read -r f; do [ -f "$f" ] && echo "$f"; done)
[ ${#files[@]} -gt 0 ] || { echo "no PDFs: apt-get install texlive-latex-base-doc texlive-latex-recommended-doc" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pages=0
for f in "${files[@]}"; do
    n=$(pdfinfo "$f" 2>/dev/null | awk '/^Pages:/ {print $2}')
    pages=$((pages + ${n:-0}))
    cat "$f" >/dev/null
done

echo "corpus:         ${#files[@]} PDFs, $pages pages, $(du -chL "${files[@]}" | tail -1 | cut -f1)"
echo "load average:   $(cut -d' ' -f1-3 /proc/loadavg) (before)"

# Wall time depends on what else the machine runs; CPU time (user + system, the tool's children
# included) much less, so both are printed. Bash's `time` keyword gives both without another program.
TIMEFORMAT='%R %U %S'
rate() { awk -v p=$1 -v t=$2 'BEGIN {printf "%.1f", p / t}'; }
{ time (for f in "${files[@]}"; do pdftotext -q "$f" "$work/out.txt" || true; done) ; } 2> "$work/pdftotext.time"
read -r wall user sys < "$work/pdftotext.time"
pdftotext_cpu=$(awk -v u=$user -v s=$sys 'BEGIN {print u + s}')
pdftotext_rate=$(rate $pages $wall)
pdftotext_cpu_rate=$(rate $pages $pdftotext_cpu)
echo "pdftotext:      $wall s wall, $pdftotext_cpu s CPU: $pdftotext_rate pages/s wall, $pdftotext_cpu_rate pages/s CPU"

{ time "$lore" bench pdf "${files[@]}" > "$work/lore.txt" ; } 2> "$work/lore.time"
cat "$work/lore.txt"
read -r wall user sys < "$work/lore.time"
lore_cpu=$(awk -v u=$user -v s=$sys 'BEGIN {print u + s}')
lore_pages=$(awk '/^lore pdf:/ {for (i = 1; i < NF; i++) if ($(i + 1) == "pages") print $i}' "$work/lore.txt")
lore_rate=$(rate $lore_pages $wall)
lore_cpu_rate=$(rate $lore_pages $lore_cpu)
echo "lore:           $wall s wall, $lore_cpu s CPU: $lore_rate pages/s wall, $lore_cpu_rate pages/s CPU (process start included)"
awk -v l=$lore_rate -v p=$pdftotext_rate -v lc=$lore_cpu_rate -v pc=$pdftotext_cpu_rate \
    'BEGIN {printf "lore/pdftotext: %.0f %% by wall time, %.0f %% by CPU time\n", 100 * l / p, 100 * lc / pc}'
echo "load average:   $(cut -d' ' -f1-3 /proc/loadavg) (after extraction)"

mkdir "$work/corpus"
i=0
for f in "${files[@]}"; do i=$((i + 1)); ln -s "$f" "$work/corpus/$i-$(basename "$f")"; done
echo "--- lore bench index over the same files"
"$lore" bench index "$work/corpus"
echo "load average:   $(cut -d' ' -f1-3 /proc/loadavg) (after)"
