#!/usr/bin/env bash
# Usage: deploy/slurm/submit.sh SHARDS CONFIG... — an array of SHARDS sweep tasks, then the report.
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: $0 SHARDS CONFIG..." >&2
  exit 2
fi
shards=$1
shift
here="$(cd "$(dirname "$0")" && pwd)"
mkdir -p logs
array=$(sbatch --parsable --array="0-$((shards - 1))" "$here/sweep.sbatch" "$@")
sbatch --dependency="afterany:${array}" "$here/report.sbatch"
echo "sweep array ${array} (${shards} shards) and its report submitted"
