#!/usr/bin/env bash
# Normalizer throughput with exactly-once on vs a pass-through consume-produce loop under the same
# transactions, on the embedded broker, in one run. Usage: bench/normalizer.sh [--events N] [--rounds R] [--batch B]
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet run -c Release --project bench/Normalizer.Bench -- "$@"
