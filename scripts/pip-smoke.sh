#!/usr/bin/env bash
# Packaging smoke test: plain `pip install .` into a throw-away venv (no uv, no extras), then ingest the
# seed page as text and as HTML (trafilatura's HTML cleaning needs lxml_html_clean, declared in
# pyproject.toml). Fails when the declared dependencies are not enough for intake.
set -euo pipefail
cd "$(dirname "$0")/.."
WORK="$(mktemp -d /tmp/massline-pip-XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
python3 -m venv "$WORK/venv"
"$WORK/venv/bin/pip" install -q --disable-pip-version-check -c constraints.txt .
SEED="../shared/seed/000_26c8609fec4c407e.txt"
{ printf '<html><head><title>seed</title></head><body><article>'; sed 's/$/<br>/' "$SEED"; printf '</article></body></html>'; } \
  > "$WORK/seed.html"
cd "$WORK"
"$WORK/venv/bin/massline" --data-dir "$WORK/data" ingest "$OLDPWD/$SEED" "$WORK/seed.html"
"$WORK/venv/bin/python" - "$WORK/data/massline.db" <<'PY'
import sqlite3, sys
n = sqlite3.connect(sys.argv[1]).execute("select count(*) from messages").fetchone()[0]
assert n == 2, f"expected the seed as text and as HTML, got {n} message(s)"
print("pip smoke test: 2 messages ingested (text + HTML)")
PY
