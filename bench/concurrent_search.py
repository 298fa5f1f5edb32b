#!/usr/bin/env python3
"""Many `lore search` clients against one knowledge base at once, for a bounded time, while an indexer
keeps changing and re-indexing documents of the same knowledge base.

Each client is a loop of real `lore search` processes (one per query, as a person or a script runs it);
the indexer appends a paragraph to a few documents of the knowledge base's (scratch) folder and runs
`lore index`, over and over. Reports queries/s, latency percentiles, errors, and the index runs done.
Loopback only: the processes talk to whatever the config names (a local PostgreSQL, a local embedder).

usage: concurrent_search.py LORE KB QUERIES_FILE FOLDER [--clients 16] [--seconds 60] [--mode bm25]
"""
import argparse, json, os, random, subprocess, sys, threading, time

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("lore"); ap.add_argument("kb"); ap.add_argument("queries"); ap.add_argument("folder")
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--mode", default="bm25")
    ap.add_argument("--no-indexer", action="store_true")
    a = ap.parse_args()
    queries = [l.strip() for l in open(a.queries, encoding="utf-8") if l.strip() and not l.startswith("#")]
    deadline = time.monotonic() + a.seconds
    lock = threading.Lock()
    latencies, errors, index_runs, index_errors = [], [], [0], []

    def client(n):
        rng = random.Random(n)
        while time.monotonic() < deadline:
            q = rng.choice(queries)
            t = time.monotonic()
            p = subprocess.run([a.lore, "--kb", a.kb, "search", "--mode", a.mode, "-k", "10", "--json", q],
                               capture_output=True, text=True)
            dt = (time.monotonic() - t) * 1000
            with lock:
                ok = p.returncode == 0
                if ok:
                    try: ok = isinstance(json.loads(p.stdout), list)
                    except ValueError: ok = False
                if not ok:
                    errors.append((q, p.returncode, p.stderr.strip()[-300:]))
                else:
                    latencies.append(dt)

    def indexer():
        files = sorted(os.path.join(d, f) for d, _, fs in os.walk(a.folder) for f in fs if f.endswith(".html"))
        rng = random.Random(7)
        round_ = 0
        while time.monotonic() < deadline:
            round_ += 1
            for path in rng.sample(files, min(5, len(files))):
                with open(path, "a", encoding="utf-8") as f:
                    f.write(f"\n<p>Concurrent edit {round_} while searching.</p>\n")
            p = subprocess.run([a.lore, "--kb", a.kb, "index", "--quiet"], capture_output=True, text=True)
            with lock:
                if p.returncode == 0: index_runs[0] += 1
                else: index_errors.append(p.stderr.strip()[-300:])

    threads = [threading.Thread(target=client, args=(n,)) for n in range(a.clients)]
    if not a.no_indexer: threads.append(threading.Thread(target=indexer))
    started = time.monotonic()
    for t in threads: t.start()
    for t in threads: t.join()
    elapsed = time.monotonic() - started
    latencies.sort()
    def pct(p): return latencies[min(len(latencies) - 1, max(0, int(len(latencies) * p + 0.999) - 1))] if latencies else 0
    print(f"clients {a.clients}, mode {a.mode}, {elapsed:.1f} s: {len(latencies)} queries, {len(latencies) / elapsed:.1f} queries/s, "
          f"p50 {pct(0.5):.0f} ms, p95 {pct(0.95):.0f} ms, p99 {pct(0.99):.0f} ms, errors {len(errors)}; "
          f"index runs {index_runs[0]}, index errors {len(index_errors)}")
    for e in (errors + index_errors)[:5]: print("  error:", e, file=sys.stderr)
    return 1 if errors or index_errors else 0

if __name__ == "__main__":
    sys.exit(main())
