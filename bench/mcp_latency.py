#!/usr/bin/env python3
"""Round-trip latency of `lore mcp` tools through the official MCP Python client.

Spawns `lore mcp` with the LORE_HOME given, times the start (spawn and initialize), then each query of a
file through `search` in the modes asked for, `get_passage` on every first result, `list_knowledge_bases`,
`resources/list` and one `resources/read`; prints p50/p95/max per call. Usage:
  mcp_latency.py LORE_BIN LORE_HOME QUERIES.txt [--modes bm25,hybrid] [--ask QUESTION]
Run it with the Python of scripts/mcp-e2e.sh's virtual environment (it has the mcp package).
"""

import argparse
import asyncio
import statistics
import time

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client


def report(name, samples):
    ms = sorted(s * 1000 for s in samples)
    p95 = ms[min(len(ms) - 1, int(round(0.95 * (len(ms) - 1))))]
    print(f"{name:<28} n={len(ms):<4} p50 {statistics.median(ms):8.1f} ms  p95 {p95:8.1f} ms  max {ms[-1]:8.1f} ms")


async def timed(samples, call):
    started = time.perf_counter()
    result = await call
    samples.append(time.perf_counter() - started)
    return result


async def run(args):
    queries = [q.strip() for q in open(args.queries) if q.strip()]
    params = StdioServerParameters(command=args.lore, args=["mcp"], env={"LORE_HOME": args.home})
    started = time.perf_counter()
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            await session.initialize()
            print(f"{'start + initialize':<28} {1000 * (time.perf_counter() - started):.1f} ms")
            listing, resources, reading, passages = [], [], [], []
            kbs = await timed(listing, session.call_tool("list_knowledge_bases", {}))
            for kb in kbs.structured_content["knowledgeBases"]:
                print(f"kb {kb['name']}: {kb['files']} files, {kb['passages']} passages, embeddings {kb['embedding']['state']}")
            for mode in args.modes.split(","):
                samples, notices = [], set()
                for query in queries:
                    result = await timed(samples, session.call_tool("search", {"query": query, "k": 8, "mode": mode}))
                    assert not result.is_error, result.content[0].text
                    found = result.structured_content
                    if found.get("notice"):
                        notices.add(found["notice"])
                    if mode == args.modes.split(",")[0] and found["results"]:
                        await timed(passages, session.call_tool("get_passage", {"id": found["results"][0]["id"]}))
                report(f"search k=8 {mode}", samples)
                for notice in notices:
                    print(f"  notice: {notice}")
            report("get_passage context=1", passages)
            report("list_knowledge_bases", listing)
            listed = await timed(resources, session.list_resources())
            report(f"resources/list ({len(listed.resources)})", resources)
            if listed.resources:
                content = await timed(reading, session.read_resource(listed.resources[0].uri))
                report(f"resources/read ({len(content.contents[0].text)} chars)", reading)
            if args.ask:
                asked = []
                result = await timed(asked, session.call_tool("ask", {"question": args.ask}))
                report("ask", asked)
                print(result.content[0].text)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("lore")
    parser.add_argument("home")
    parser.add_argument("queries")
    parser.add_argument("--modes", default="bm25,hybrid")
    parser.add_argument("--ask")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
