#!/usr/bin/env bash
# Bundle the task editor's code editor (editor/editor.js: CodeMirror 6 with its Liquid language)
# into static/tasks_app/editor.js, which is committed: make run and make test need no Node.
# Run it again after changing editor/editor.js or the pinned versions below (needs Node and npm).
set -euo pipefail
cd "$(dirname "$0")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cat > "$work/package.json" <<'JSON'
{"private": true, "dependencies": {"codemirror": "6.0.2", "@codemirror/lang-liquid": "6.3.3", "esbuild": "0.28.2"}}
JSON
cp editor.js "$work/"
(cd "$work" && npm install --no-audit --no-fund --silent && npx esbuild editor.js --bundle --minify \
  --format=iife --target=es2020 --legal-comments=eof --outfile=editor.bundle.js)
cp "$work/editor.bundle.js" ../static/tasks_app/editor.js
echo "wrote static/tasks_app/editor.js ($(wc -c < ../static/tasks_app/editor.js) bytes)"
