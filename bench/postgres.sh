#!/usr/bin/env bash
# The PostgreSQL docs (Debian's postgresql-doc-15) as a knowledge base on both stores, in one run:
#   - full index time (parse, chunk, write) and the embedding pass, SQLite then PostgreSQL;
#   - BM25 and hybrid search p50/p95/p99 (`lore bench search [--mode hybrid]`), and `lore eval --all-modes` (recall, MRR, and the
#     hybrid query time without the embedding call) on each;
#   - 16 concurrent `lore search` clients for 60 s against the PostgreSQL one while an indexer edits and
#     re-indexes its documents (bench/concurrent_search.py), in BM25 and hybrid modes.
# Needs: a release build (`swift build -c release --product lore`), the embedding server of
# ../shared/local-llm on 127.0.0.1:18082 (or LORE_BENCH_EMBED_URL), and a PostgreSQL with pgvector, started
# here by scripts/pg-server.sh unless LORE_BENCH_POSTGRES names one (postgres://USER@127.0.0.1:PORT, no
# database: one is created). Everything stays on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
lore="${LORE_BIN:-$PWD/.build/release/lore}"
[ -x "$lore" ] || { echo "build first: swift build -c release --product lore" >&2; exit 1; }
docs=/usr/share/doc/postgresql-doc-15/html
[ -d "$docs" ] || { echo "install the corpus first: apt-get install postgresql-doc-15" >&2; exit 1; }
embed="${LORE_BENCH_EMBED_URL:-http://127.0.0.1:18082/v1}"
if [ -z "${LORE_BENCH_POSTGRES:-}" ]; then
  eval "$(bash scripts/pg-server.sh start)"
  server="${LORE_TEST_POSTGRES%/*}"
else
  server="$LORE_BENCH_POSTGRES"
fi
db="lore_bench_$$"
bash scripts/pg-server.sh psql -c "CREATE DATABASE $db" >/dev/null
work="$(mktemp -d /tmp/lore-pgbench.XXXXXX)"
trap 'rm -rf "$work"; bash scripts/pg-server.sh psql -c "DROP DATABASE IF EXISTS '"$db"' WITH (FORCE)" >/dev/null 2>&1 || true' EXIT
# A scratch copy of the pages: the concurrent indexer edits it.
cp -r "$docs" "$work/html"
export LORE_HOME="$work/home"
mkdir -p "$LORE_HOME/config"
cat > "$LORE_HOME/config/config.toml" <<TOML
[embedding]
provider = "openai"
base_url = "$embed"

[kb.docs-sqlite]
paths = ["$work/html"]

[kb.docs-pg]
paths = ["$work/html"]
store = "$server/$db"
TOML
grep -v '^#' bench/eval-postgresql.jsonl | python3 -c 'import json,sys; [print(json.loads(l)["q"]) for l in sys.stdin if l.strip()]' > "$work/questions.txt"
"$lore" --version
for kb in docs-sqlite docs-pg; do
  echo "== $kb: index from scratch"
  /usr/bin/time -f "$kb: %e s wall in all (index + embedding), peak RSS %M KB" "$lore" --kb "$kb" index 2>&1 | grep -v ETA | tail -3
  echo "== $kb: BM25 search"
  "$lore" --kb "$kb" bench search --queries "$work/questions.txt" --repeat 5 | grep -E "lore search|knowledge base"
  echo "== $kb: hybrid search (without the embedding call)"
  "$lore" --kb "$kb" bench search --queries "$work/questions.txt" --repeat 5 --mode hybrid | grep -E "lore search"
  echo "== $kb: eval"
  "$lore" --kb "$kb" eval bench/eval-postgresql.jsonl --all-modes
done
for mode in bm25 hybrid; do
  echo "== docs-pg: 16 clients, $mode, 60 s, indexer running"
  python3 bench/concurrent_search.py "$lore" docs-pg "$work/questions.txt" "$work/html" --clients 16 --seconds 60 --mode "$mode"
done
