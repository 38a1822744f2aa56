#!/usr/bin/env bash
# Installs the browser test's npm packages (playwright-core, pinned in
# tests/browser/package-lock.json) into tests/browser/node_modules when they are missing
# or older than the lock file. The browser is Debian's chromium (scripts/setup.sh):
# Playwright's own browser downloads are never used. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

dir=tests/browser
# npm writes this copy of the lock file on every install: its age is the install's.
installed=$dir/node_modules/.package-lock.json
if [ -f "$installed" ] && [ ! "$dir/package-lock.json" -nt "$installed" ]; then
  exit 0
fi
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "setup_browser: node and npm are missing: run scripts/setup.sh" >&2
  exit 1
fi
echo "setup_browser: npm ci in $dir" >&2
PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error
touch "$installed"
