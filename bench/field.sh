#!/usr/bin/env bash
# Field benchmark (issue 13): `vigil detect` on labelled real-world-like series
# (bench/field/corpus.py: bursty counts, level shifts, machine metrics, weekly cycles,
# low counts, irregular timestamps, new series, clean series), each run at its own
# interval with default settings, scored per behaviour by bench/field/score.py
# (precision, recall, F1, false episodes per series-week, delay, NAB score; the
# definitions are at the top of score.py). Prints the tuning split, then the held-out
# split: tune on the first, report the second.
# Usage: bash bench/field.sh [--keep DIR] [score.py options, e.g. --binary before=PATH
#        --binary after=build/vigil --extra "seasonal k=5" --detail vigil:seasonal]
# Builds first (make -s build) unless VIGIL names a binary; without --binary the
# binary scored is $VIGIL or build/vigil, named "vigil".
set -euo pipefail
cd "$(dirname "$0")/.."
keep=""
args=()
while (($#)); do
  case $1 in
    --keep) keep=${2:?--keep needs a directory}; shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done
if [[ -z ${VIGIL:-} ]]; then
  make -s build >/dev/null
  export VIGIL=$PWD/build/vigil
fi
if [[ -n $keep ]]; then
  work=$keep
  mkdir -p "$work"
else
  work=$(mktemp -d /tmp/vigil-bench-field-XXXXXX)
  trap 'rm -rf "$work"' EXIT
fi
start=$(date +%s)
for split in tuning heldout; do
  rm -rf "${work:?}/$split"
  python3 bench/field/corpus.py --split "$split" --out "$work/$split"
done
echo
python3 bench/field/score.py --corpus "tuning=$work/tuning" --corpus "heldout=$work/heldout" \
  ${args[@]+"${args[@]}"}
echo "field bench: $(($(date +%s) - start)) s${keep:+, corpus kept in $keep}"
