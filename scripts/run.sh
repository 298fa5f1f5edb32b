#!/bin/sh
# Builds Lore and opens it on the bundled sample knowledge base, its index brought up to date first.
# The release build links the Swift runtime in: one self-contained binary, which also keeps resident
# memory low, since only the parts of the runtime Lore uses are loaded.
set -eu
cd "$(dirname "$0")/.."
sh scripts/deps.sh
swift build -c release --product lore --static-swift-stdlib
.build/release/lore index --kb ./sample-kb
exec .build/release/lore --kb ./sample-kb "$@"
