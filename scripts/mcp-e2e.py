#!/usr/bin/env python3
"""End-to-end test of `lore mcp` with the official MCP Python client.

Builds a Lore home in a temporary folder (two Markdown files, indexed by the real `lore index`, and a
chat model played by a scripted OpenAI-style server on 127.0.0.1), spawns `lore mcp --allow-index`
over stdio, and checks every tool, the resources, bad arguments, an unknown knowledge base and an
unknown tool. A second session without --allow-index and without a model checks that the server is
read-only by default. Usage: mcp-e2e.py PATH/TO/lore
"""

import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.shared.exceptions import MCPError

VACUUM = """# Routine Vacuuming

Plain VACUUM only makes the space of dead rows reusable within the table.

## Recovering Disk Space

VACUUM FULL rewrites the whole table into a new file, so the disk space of dead rows goes back to the operating system.

## Preventing Wraparound

Every table must be vacuumed at least once every two billion transactions.
"""

BACKUP = """# Backup and Restore

## SQL Dump

The pg_dump program writes a consistent snapshot of one database as SQL commands.
Restore such a dump with psql or, for custom-format archives, with pg_restore.
"""

ANSWER = ["VACUUM FULL gives the space back ", "to the operating system [1]."]

passed = 0


def check(condition, what, detail=None):
    global passed
    if not condition:
        raise AssertionError(what + ("" if detail is None else f": {detail!r}"))
    passed += 1
    print(f"ok - {what}")


class ScriptedModel(BaseHTTPRequestHandler):
    """An OpenAI-compatible chat server that streams the same cited answer to every request."""

    prompts = []

    def log_message(self, *args):
        pass

    def do_GET(self):
        body = json.dumps({"object": "list", "data": [{"id": "scripted", "object": "model"}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        ScriptedModel.prompts.append(self.rfile.read(length).decode())
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Connection", "close")
        self.end_headers()
        for piece in ANSWER:
            chunk = {"choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]}
            self.wfile.write(b"data: " + json.dumps(chunk).encode() + b"\n\n")
        done = {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
        self.wfile.write(b"data: " + json.dumps(done).encode() + b"\n\ndata: [DONE]\n\n")
        self.wfile.flush()


def make_home(root, model_url):
    docs = os.path.join(root, "docs")
    os.makedirs(os.path.join(docs, "guide"))
    os.makedirs(os.path.join(root, "home", "config"))
    with open(os.path.join(docs, "vacuum.md"), "w") as f:
        f.write(VACUUM)
    with open(os.path.join(docs, "guide", "backup.md"), "w") as f:
        f.write(BACKUP)
    config = f'default_kb = "docs"\n\n[kb.docs]\npaths = ["{docs}"]\n'
    if model_url:
        config += f'\n[model]\nprovider = "openai"\nbase_url = "{model_url}"\nname = "scripted"\n'
    with open(os.path.join(root, "home", "config", "config.toml"), "w") as f:
        f.write(config)
    return docs, os.path.join(root, "home")


def text_of(result):
    return result.content[0].text if result.content else ""


async def full_session(lore, home, docs):
    params = StdioServerParameters(command=lore, args=["mcp", "--allow-index"], env={"LORE_HOME": home})
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            init = await session.initialize()
            check(init.server_info.name == "lore", "initialize names the server lore", init.server_info)
            check(init.capabilities.tools is not None and init.capabilities.resources is not None,
                  "the server offers tools and resources")

            tools = {t.name: t for t in (await session.list_tools()).tools}
            check(sorted(tools) == ["ask", "get_passage", "index", "list_knowledge_bases", "search"],
                  "tools with a model and --allow-index", sorted(tools))
            check(tools["search"].input_schema["required"] == ["query"], "search requires a query")

            # search
            result = await session.call_tool("search", {"query": "disk space", "k": 3, "mode": "bm25"})
            check(not result.is_error, "search succeeds", text_of(result))
            found = result.structured_content
            check(found == json.loads(text_of(result)), "search's text is its structured content as JSON")
            check(found["kb"] == "docs" and found["mode"] == "bm25", "search reports its kb and ranking", found)
            best = found["results"][0]
            check(best["path"] == os.path.join(docs, "vacuum.md"), "the best passage is in vacuum.md", best["path"])
            check(best["headings"][-1] == "Recovering Disk Space", "it carries its heading path", best["headings"])
            check(best["lineStart"] <= 7 <= best["lineEnd"], "its line range covers the matching line", best)
            check("VACUUM FULL rewrites" in best["text"] and best["score"] > 0, "it has text and a score")
            check(best["uri"] == "lore://docs/vacuum.md", "it names its document resource", best["uri"])
            check(len(found["results"]) <= 3, "k limits the results")

            # get_passage
            result = await session.call_tool("get_passage", {"id": best["id"], "context": 1})
            check(not result.is_error, "get_passage succeeds", text_of(result))
            got = result.structured_content
            check(got["passage"]["id"] == best["id"] and got["passage"]["text"] == best["text"],
                  "get_passage returns the passage whole")
            check(len(got["before"]) == 1 and "Plain VACUUM" in got["before"][0]["text"],
                  "with the passage before it", got["before"])
            check(len(got["after"]) == 1 and "two billion" in got["after"][0]["text"],
                  "and the passage after it", got["after"])

            # list_knowledge_bases
            result = await session.call_tool("list_knowledge_bases", {})
            kbs = result.structured_content["knowledgeBases"]
            check([k["name"] for k in kbs] == ["docs"], "list_knowledge_bases lists docs", kbs)
            check(kbs[0]["files"] == 2 and kbs[0]["passages"] >= 4 and kbs[0]["state"] == "indexed",
                  "with its file and passage counts", kbs[0])
            check(kbs[0]["embedding"]["state"] == "not configured", "and its embedding state", kbs[0]["embedding"])

            # ask
            result = await session.call_tool("ask", {"question": "How do I get disk space back?"})
            check(not result.is_error, "ask succeeds", text_of(result))
            answer = result.structured_content
            check(answer["answer"] == "".join(ANSWER), "ask returns the model's answer", answer["answer"])
            check(answer["cited"] == [1] and answer["sources"][0]["cited"], "with its numbered citation", answer["cited"])
            check(answer["sources"][0]["passage"]["path"] == os.path.join(docs, "vacuum.md"), "source [1] is vacuum.md")
            check("Sources:\n*[1] Routine Vacuuming" in text_of(result), "the text lists the sources", text_of(result))
            check(any("VACUUM FULL rewrites" in p for p in ScriptedModel.prompts), "the prompt carried the passage")
            follow = await session.call_tool("ask", {"question": "And wraparound?", "conversation": answer["conversation"]})
            check(not follow.is_error and follow.structured_content["conversation"] == answer["conversation"],
                  "a follow-up continues the conversation")

            # index
            with open(os.path.join(docs, "tablespaces.md"), "w") as f:
                f.write("# Tablespaces\n\nA tablespace names a folder where PostgreSQL keeps table files.\n")
            result = await session.call_tool("index", {"kb": "docs"})
            check(not result.is_error, "index succeeds", text_of(result))
            check(result.structured_content["added"] == 1 and result.structured_content["unchanged"] == 2,
                  "index adds the new file and leaves the others", result.structured_content)
            result = await session.call_tool("search", {"query": "tablespace"})
            check(result.structured_content["results"][0]["uri"] == "lore://docs/tablespaces.md",
                  "the new file is found after index")

            # resources
            resources = (await session.list_resources()).resources
            uris = sorted(str(r.uri) for r in resources)
            check(uris == ["lore://docs/guide/backup.md", "lore://docs/tablespaces.md", "lore://docs/vacuum.md"],
                  "each indexed document is a resource", uris)
            read = await session.read_resource("lore://docs/vacuum.md")
            check(read.contents[0].text == VACUUM, "reading a resource returns the document's text")

            # bad arguments and unknown names
            cases = [
                ({"k": 3}, "search: `query` is required: the words to look for"),
                ({"query": "vacuum", "k": "five"}, 'search: `k` must be a whole number, not the string "five"'),
                ({"query": "vacuum", "k": 0}, "search: `k` must be between 1 and 50, not 0"),
                ({"query": "vacuum", "mode": "fuzzy"},
                 'search: `mode` must be one of bm25, vector, hybrid, rerank, not "fuzzy"'),
                ({"query": "vacuum", "kb": "nope"},
                 'no knowledge base named "nope"; known: docs; or add it with `lore kb add nope FOLDER`'),
            ]
            for arguments, message in cases:
                result = await session.call_tool("search", arguments)
                check(result.is_error and text_of(result) == message, f"search {arguments} is a tool error",
                      text_of(result))
            result = await session.call_tool("get_passage", {"id": 987654})
            check(result.is_error and text_of(result).startswith("no passage 987654 in docs"),
                  "an unknown passage id is a tool error", text_of(result))
            result = await session.call_tool("list_knowledge_bases", {"kb": "docs"})
            check(result.is_error and "unknown argument `kb`" in text_of(result), "an unknown argument is a tool error")
            try:
                await session.call_tool("drop_tables", {})
                check(False, "an unknown tool is a protocol error")
            except MCPError as error:
                check(error.error.code == -32602 and 'unknown tool "drop_tables"' in error.error.message,
                      "an unknown tool is a protocol error", error.error)
            try:
                await session.read_resource("lore://docs/../home/config/config.toml")
                check(False, "a URI outside the index is not found")
            except MCPError as error:
                check(error.error.code == -32002 and "no indexed document" in error.error.message,
                      "a URI outside the index is not found", error.error)


async def read_only_session(lore, home):
    params = StdioServerParameters(command=lore, args=["mcp"], env={"LORE_HOME": home})
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            await session.initialize()
            names = sorted(t.name for t in (await session.list_tools()).tools)
            check(names == ["get_passage", "list_knowledge_bases", "search"],
                  "without a model or --allow-index: read-only tools only", names)
            try:
                await session.call_tool("index", {})
                check(False, "index is refused without --allow-index")
            except MCPError as error:
                check("--allow-index" in error.error.message, "index is refused without --allow-index", error.error)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: mcp-e2e.py PATH/TO/lore")
    lore = os.path.abspath(sys.argv[1])
    root = tempfile.mkdtemp(prefix="lore-mcp-e2e-")
    model = ThreadingHTTPServer(("127.0.0.1", 0), ScriptedModel)
    threading.Thread(target=model.serve_forever, daemon=True).start()
    try:
        docs, home = make_home(root, f"http://127.0.0.1:{model.server_address[1]}/v1")
        env = dict(os.environ, LORE_HOME=home)
        subprocess.run([lore, "index", "--quiet"], env=env, check=True)
        asyncio.run(full_session(lore, home, docs))
        # The same home without its [model]: no ask tool.
        _, bare = make_home(os.path.join(root, "bare"), None)
        subprocess.run([lore, "index", "--quiet"], env=dict(os.environ, LORE_HOME=bare), check=True)
        asyncio.run(read_only_session(lore, bare))
    finally:
        model.shutdown()
        shutil.rmtree(root, ignore_errors=True)
    print(f"mcp-e2e: {passed} passed, 0 failed")


if __name__ == "__main__":
    try:
        main()
    except AssertionError as error:
        print(f"not ok - {error}")
        print(f"mcp-e2e: {passed} passed, 1 failed")
        sys.exit(1)
