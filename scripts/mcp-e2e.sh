#!/bin/sh
# End-to-end test of `lore mcp` with the official MCP Python client (the `mcp` package): spawns the built
# binary over stdio with a temporary LORE_HOME and calls every tool (scripts/mcp-e2e.py).
# The client lives in a virtual environment under ${XDG_CACHE_HOME:-~/.cache}/lore/mcp-e2e-venv, made on
# the first run; when pip cannot install the package the test is skipped, saying why, with status 0.
# LORE_BIN overrides the binary (default: .build/debug/lore, built when missing).
set -eu
cd "$(dirname "$0")/.."
venv="${LORE_MCP_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/lore/mcp-e2e-venv}"
lore="${LORE_BIN:-.build/debug/lore}"

if ! "$venv/bin/python" -c 'import mcp' 2>/dev/null; then
    if ! python3 -m venv "$venv" >/dev/null 2>&1; then
        echo "mcp-e2e: skipped: python3 cannot make a virtual environment (install python3-venv)"
        exit 0
    fi
    if ! "$venv/bin/pip" install --quiet mcp >"$venv/pip.log" 2>&1; then
        echo "mcp-e2e: skipped: pip could not install the mcp package:"
        tail -n 3 "$venv/pip.log" | sed 's/^/    /'
        exit 0
    fi
fi

if [ ! -x "$lore" ]; then
    swift build --product lore
fi
exec "$venv/bin/python" scripts/mcp-e2e.py "$lore"
