#!/bin/sh
# Installs the Debian packages Lore builds and tests against, when they are missing: as root directly,
# otherwise through sudo.
set -eu
packages="libncurses-dev libcurl4-openssl-dev libsqlite3-dev libxml2-dev libcmark-gfm-dev libcmark-gfm-extensions-dev libpoppler-glib-dev pkg-config tmux make"
# DOCX, ODT and EPUB parts are inflated with the system zlib (the CLoreZlib target; ZIPFoundation links it too).
packages="$packages zlib1g-dev"
# Shared knowledge bases on PostgreSQL are reached through libpq.
packages="$packages libpq-dev"
# The MCP end-to-end test runs the official Python client from a virtual environment.
packages="$packages python3-venv"
missing=""
for p in $packages; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
echo "installing:$missing" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $missing >/dev/null
