#!/bin/sh
# Builds Lore (release) and opens it on the bundled sample knowledge base; the index is brought up to date
# first, so the first question has everything to work with.
set -eu
cd "$(dirname "$0")/.."
sh scripts/deps.sh
swift build -c release --product lore
.build/release/lore index --kb ./sample-kb
exec .build/release/lore --kb ./sample-kb "$@"
