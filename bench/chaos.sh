#!/usr/bin/env bash
# Chaos under load (issue 15): the embedded broker, ingress, normalizer and status service as separate processes on
# this machine, PostgreSQL as the status store, vendor-like webhooks from all five providers at a fixed rate, faults on
# a schedule (broker down, request errors, latency, kill -9 of the normalizer and of the status service, SIGTERM of the
# ingress, PostgreSQL stopped), then an independent reconciliation against the sender's ledger (bench/Chaos).
# Usage: bench/chaos.sh [seconds=660] [rate=100] [fault-interval=4.5]
# Prints the summary table (load held, faults by kind, accepted, 503-then-retried, lost, duplicated) for
# BENCHMARKS.md; exits non-zero on any loss or duplicate, or with fewer than 20 faults of a kind (CHAOS_MIN_FAULTS).
# Topics get 24 partitions (CHAOS_PARTITIONS): the embedded broker keeps about 5 MB or 100,000 records per partition
# and drops the oldest beyond, which would leave nothing to reconcile early events against in a long run.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/prerequisites.sh run
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

seconds="${1:-660}"
rate="${2:-100}"
interval="${3:-4.5}"
work="$(mktemp -d "${TMPDIR:-/tmp}/streaming-chaos.XXXXXX")"
chmod 755 "$work"

dotnet build bench/Chaos -c Release -nologo -v quiet
set +e
dotnet bench/Chaos/bin/Release/net10.0/Streaming.Chaos.dll run --repo "$PWD" --seconds "$seconds" --rate "$rate" \
  --fault-interval "$interval" --min-faults "${CHAOS_MIN_FAULTS:-20}" --partitions "${CHAOS_PARTITIONS:-24}" --work "$work" ${CHAOS_ARGS:-}
status=$?
set -e
if [ "$status" -eq 0 ] && [ -z "${CHAOS_KEEP:-}" ]; then rm -rf "$work"; else echo "logs of every process: $work"; fi
exit "$status"
