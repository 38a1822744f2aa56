#!/usr/bin/env bash
# Makes the Python virtualenv for the ClickHouse 26.x test front (tests/chdb_front): chdb-core
# from PyPI, pinned in tests/chdb_front/requirements.txt. Safe to run again; returns at once
# when the venv is up to date.
#
#   scripts/setup_chdb.sh            # venv in ./.venv-chdb (or $VIGIL_CHDB_VENV)
#
# Prints the venv's python on stdout; progress goes to stderr.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
venv="${VIGIL_CHDB_VENV:-$root/.venv-chdb}"
python="${PYTHON:-python3}"
requirements="$root/tests/chdb_front/requirements.txt"

source "$root/scripts/python_venv.sh"
ensure_python_venv setup_chdb "$python"

want="$(sha256sum "$requirements" | cut -d' ' -f1)"
stamp="$venv/.vigil-setup-stamp"
if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  echo "$venv/bin/python"
  exit 0
fi

if [ ! -x "$venv/bin/python" ]; then
  echo "setup_chdb: creating $venv" >&2
  "$python" -m venv "$venv"
  echo '*' > "$venv/.gitignore"  # keep the venv out of git
fi
rm -f "$stamp"
echo "setup_chdb: installing chdb-core (tests/chdb_front/requirements.txt)" >&2
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$requirements" >&2
"$venv/bin/python" -c 'import chdb' >&2
echo "$want" > "$stamp"
echo "$venv/bin/python"
