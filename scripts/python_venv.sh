# Sourced by the setup scripts that make a Python virtualenv (setup_airflow.sh,
# setup_chdb.sh): Debian ships venv and ensurepip in a package of their own.

# ensure_python_venv NAME PYTHON: installs python3-venv (apt) unless PYTHON
# already has venv and ensurepip; NAME prefixes the progress line on stderr.
ensure_python_venv() {
  local name="$1" python="$2"
  if "$python" -c 'import venv, ensurepip' >/dev/null 2>&1; then return 0; fi
  echo "$name: installing python3-venv" >&2
  local sudo_cmd=()
  if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
}
