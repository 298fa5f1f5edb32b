#!/usr/bin/env bash
# Page-level citations on a real corpus: do Lore's top passages point at the page that answers?
#
# The corpus is every PDF of Debian's texlive-latex-base-doc and texlive-latex-recommended-doc
# (424 manuals in the Debian 12/13 packages). bench/eval-texlive-pages.jsonl holds paraphrased
# questions, each with the manual that answers it and the gold page(s), counted as poppler counts
# them (1-based physical pages, what Lore stores as pageStart/pageEnd):
#   {"question": "...", "document": "latex/geometry/geometry.pdf", "pages": [15]}
# A "document" matches a result whose path ends with it at a '/' boundary.
#
# The script makes a throw-away LORE_HOME (no config: BM25 only, no server of any kind), adds a
# knowledge base over the folders holding those PDFs, indexes it, then runs for each question
#   lore search --kb texdocs --json -k 5 "QUESTION"
# A result is correct when it comes from the gold document and its [pageStart, pageEnd] holds a
# gold page. Printed: per question the rank of the first correct result (or "miss"), with the rank
# of the first result from the gold document at any page, then the share correct at top 1 and top 5.
#
# usage: bench/page-eval.sh [QUESTIONS.jsonl]
#   LORE_BINARY=path   the lore binary (default .build/release/lore)
#   KEEP_HOME=1        keep the temporary LORE_HOME and print where it is
#   needs: apt-get install poppler-utils texlive-latex-base-doc texlive-latex-recommended-doc
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
questions=${1:-$root/bench/eval-texlive-pages.jsonl}
lore=${LORE_BINARY:-.build/release/lore}
case $lore in /*) ;; *) [ -x "$lore" ] || lore=$root/$lore ;; esac
[ -x "$lore" ] || { echo "no lore binary at $lore (set LORE_BINARY)" >&2; exit 1; }
lore=$(cd "$(dirname "$lore")" && pwd)/$(basename "$lore")
[ -f "$questions" ] || { echo "no question file $questions" >&2; exit 1; }
command -v python3 >/dev/null || { echo "bench/page-eval.sh needs python3" >&2; exit 1; }

# The folders holding the packages' PDFs, a folder inside another one dropped (it is indexed anyway).
mapfile -t dirs < <(dpkg -L texlive-latex-base-doc texlive-latex-recommended-doc 2>/dev/null | grep '\.pdf$' |
                    while read -r f; do [ -f "$f" ] && dirname "$f"; done | sort -u |
                    awk 'NR == 1 || index($0, top "/") != 1 { top = $0; print }')
[ ${#dirs[@]} -gt 0 ] || { echo "no PDFs: apt-get install texlive-latex-base-doc texlive-latex-recommended-doc" >&2; exit 1; }

home=$(mktemp -d)
if [ "${KEEP_HOME:-0}" = 1 ]; then trap 'echo "LORE_HOME kept at $home" >&2' EXIT; else trap 'rm -rf "$home"' EXIT; fi
export LORE_HOME=$home

echo "lore:      $lore"
echo "corpus:    $(find "${dirs[@]}" -name '*.pdf' | wc -l) PDFs under ${#dirs[@]} folders"
start=$(date +%s)
"$lore" kb add texdocs "${dirs[@]}" --include '*.pdf' > "$home/index.log" 2>&1 ||
    { cat "$home/index.log" >&2; echo "indexing failed" >&2; exit 1; }
echo "indexed:   $(($(date +%s) - start)) s; $(tail -1 "$home/index.log")"

python3 - "$lore" "$questions" <<'PY'
import json, subprocess, sys

lore, path = sys.argv[1], sys.argv[2]
K = 5

def matches(doc_path, entry):
    return doc_path == entry or doc_path.endswith("/" + entry.lstrip("/"))

rows, top1, top5, doc5 = [], 0, 0, 0
with open(path, encoding="utf-8") as f:
    items = [json.loads(line) for line in f if line.strip() and not line.lstrip().startswith("#")]
for n, item in enumerate(items, 1):
    out = subprocess.run([lore, "search", "--kb", "texdocs", "--json", "-k", str(K), item["question"]],
                         capture_output=True, text=True, check=True).stdout
    results = json.loads(out)[:K]
    gold = set(item["pages"])
    first_page = first_doc = None
    cited = []
    for r in results:
        same = matches(r["path"], item["document"])
        ps, pe = r.get("pageStart"), r.get("pageEnd")
        if same and first_doc is None:
            first_doc = r["rank"]
        if same and ps is not None and any(ps <= g <= (pe if pe is not None else ps) for g in gold) and first_page is None:
            first_page = r["rank"]
        span = "?" if ps is None else (str(ps) if pe in (None, ps) else f"{ps}-{pe}")
        cited.append((r["path"].rsplit("/", 1)[-1], span))
    top1 += first_page == 1
    top5 += first_page is not None
    doc5 += first_doc is not None
    rows.append((n, first_page, first_doc, item, cited))

print()
print(f"{'#':>2}  {'page':>4}  {'doc':>4}  gold                         question / top results (file p.)")
for n, fp, fd, item, cited in rows:
    gold = item["document"].rsplit("/", 1)[-1] + " p." + ",".join(map(str, item["pages"]))
    print(f"{n:>2}  {fp if fp else 'miss':>4}  {fd if fd else '-':>4}  {gold:<27}  {item['question']}")
    print(" " * 44 + "; ".join(f"{name} {span}" for name, span in cited))
total = len(rows)
print()
print(f"{total} questions, {len({r[3]['document'] for r in rows})} manuals, top {K} passages each (BM25)")
print(f"correct page at rank 1:    {top1}/{total} = {top1 / total:.0%}")
print(f"correct page in top {K}:     {top5}/{total} = {top5 / total:.0%}")
print(f"gold manual in top {K}:      {doc5}/{total} = {doc5 / total:.0%}  (any page)")
PY
