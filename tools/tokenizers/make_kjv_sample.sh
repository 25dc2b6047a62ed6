#!/usr/bin/env bash
# Regenerates axlearn-text/src/test/resources/io/axlearn/text/tokenizers/kjv-sample.txt: 400 lines of
# the embedded King James Bible (public domain; see tools/data/make_kjv.sh), every 160th non-blank
# line from the start, for the tests that compare tokenizers on real text.
set -euo pipefail
cd "$(dirname "$0")/../.."
zcat examples/src/main/resources/io/axlearn/examples/text/kjv.txt.gz | grep -v '^\s*$' \
  | awk 'NR % 160 == 1 && n < 400 { print; n++ }' > axlearn-text/src/test/resources/io/axlearn/text/tokenizers/kjv-sample.txt
wc -l axlearn-text/src/test/resources/io/axlearn/text/tokenizers/kjv-sample.txt
