#!/usr/bin/env bash
# Makes the Python virtualenv for the Airflow DAGs and their tests, if it is missing or stale:
# apache-airflow and pytest from PyPI (airflow/requirements.txt, every dependency pinned by
# airflow/constraints.txt). Safe to run again; returns at once when the venv is up to date.
#
#   scripts/setup_airflow.sh            # venv in ./.venv-airflow (or $VIGIL_AIRFLOW_VENV)
#   PYTHON=python3.11 scripts/setup_airflow.sh
#
# Prints the venv's directory on stdout; progress and timing go to stderr.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
venv="${VIGIL_AIRFLOW_VENV:-$root/.venv-airflow}"
python="${PYTHON:-python3}"
requirements="$root/airflow/requirements.txt"
constraints="$root/airflow/constraints.txt"
# The constraints were resolved for this Python (see their header).
constraints_python="3.11"

if ! command -v "$python" >/dev/null 2>&1; then
  echo "setup_airflow: $python not found (run scripts/setup.sh, or set PYTHON)" >&2
  exit 1
fi

source "$root/scripts/python_venv.sh"
ensure_python_venv setup_airflow "$python"

python_version="$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
use_constraints=1
if [ "$python_version" != "$constraints_python" ]; then
  use_constraints=0
fi

# What the venv was made from: when this matches the stamp, there is nothing to do.
want="$( { echo "python $python_version constraints $use_constraints"; cat "$requirements";
           if [ "$use_constraints" = 1 ]; then cat "$constraints"; fi; } | sha256sum | cut -d' ' -f1)"
stamp="$venv/.vigil-setup-stamp"
if [ -x "$venv/bin/airflow" ] && [ -x "$venv/bin/pytest" ] && [ -f "$stamp" ] &&
   [ "$(cat "$stamp")" = "$want" ]; then
  echo "$venv"
  exit 0
fi

start=$(date +%s)
if [ ! -x "$venv/bin/python" ]; then
  echo "setup_airflow: creating $venv (Python $python_version)" >&2
  "$python" -m venv "$venv"
  # Keep the venv out of git without touching the project's .gitignore.
  echo '*' > "$venv/.gitignore"
fi
rm -f "$stamp"

pip_args=(install --quiet --disable-pip-version-check --no-input -r "$requirements")
if [ "$use_constraints" = 1 ]; then
  pip_args+=(-c "$constraints")
  echo "setup_airflow: installing apache-airflow and pytest (pinned by airflow/constraints.txt)" >&2
else
  echo "setup_airflow: Python $python_version, not $constraints_python: installing" \
       "airflow/requirements.txt without airflow/constraints.txt (pip resolves the rest)" >&2
fi
"$venv/bin/python" -m pip "${pip_args[@]}" >&2

# Read the installed version without importing airflow (that would create ~/airflow).
version="$("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("apache-airflow"))')"
echo "$want" > "$stamp"
echo "setup_airflow: apache-airflow $version ready in $(( $(date +%s) - start )) s" >&2
echo "$venv"
