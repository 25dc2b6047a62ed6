#!/usr/bin/env bash
# Regenerates examples/src/main/resources/io/axlearn/examples/text/kjv.txt.gz, the embedded default
# corpus of the text.charlm example: the King James Bible (public domain) from Debian's bible-kjv.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v bible >/dev/null || { apt-get update -qq && apt-get install -y -qq bible-kjv; }
bible "Gen1:1-Rev22:21" | gzip -9 -n > examples/src/main/resources/io/axlearn/examples/text/kjv.txt.gz
ls -l examples/src/main/resources/io/axlearn/examples/text/kjv.txt.gz
