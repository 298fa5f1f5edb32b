#!/bin/sh
# Runs the whole test suite: unit tests, integration tests on real SQLite files and loopback HTTP, and
# terminal tests under tmux. Real-model tests run when LORE_TEST_CHAT_URL / LORE_TEST_EMBED_URL are set
# (see ../shared/local-llm) and skip, saying so, otherwise. Last, `lore mcp` is driven end to end by a real
# MCP client (scripts/mcp-e2e.sh; skipped, saying why, when its Python package cannot be installed).
# The store contract tests run against SQLite and against a throwaway PostgreSQL + pgvector on loopback
# (scripts/pg-server.sh), which is started here and stopped at the end; without it they run on SQLite
# alone and say so.
set -eu
cd "$(dirname "$0")/.."
sh scripts/deps.sh
swift build --build-tests
if [ -z "${LORE_TEST_POSTGRES:-}" ]; then
  if pg_env="$(bash scripts/pg-server.sh start)"; then
    eval "$pg_env"
    export LORE_TEST_POSTGRES PGPASSWORD
    # From here a missing server is a failure, not a skip (BackendAvailability.postgresIsSkipped).
    export LORE_REQUIRE_POSTGRES=1
    trap 'bash scripts/pg-server.sh stop >/dev/null 2>&1 || true' EXIT
  else
    echo "PostgreSQL could not be started; the PostgreSQL store tests will skip" >&2
  fi
fi
swift test --skip-build
sh scripts/mcp-e2e.sh
