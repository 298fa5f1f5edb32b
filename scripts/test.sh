#!/bin/sh
# Runs the whole test suite: unit tests, integration tests on real SQLite files and loopback HTTP, and
# terminal tests under tmux. Real-model tests run when LORE_TEST_CHAT_URL / LORE_TEST_EMBED_URL are set
# (see ../shared/local-llm) and skip, saying so, otherwise. Last, `lore mcp` is driven end to end by a real
# MCP client (scripts/mcp-e2e.sh; skipped, saying why, when its Python package cannot be installed).
set -eu
cd "$(dirname "$0")/.."
sh scripts/deps.sh
swift build --build-tests
swift test --skip-build
sh scripts/mcp-e2e.sh
