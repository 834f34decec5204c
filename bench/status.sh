#!/usr/bin/env bash
# Status service benchmark in one run (embedded broker): GetDocumentStatus calls/s vs a bare endpoint of the same
# gRPC binding (ratio), GetDocumentStatus latency over a bulk-loaded store, projection events/s, commit-to-watcher latency.
# Usage: bench/status.sh [--documents N] [--concurrency C] [--seconds S] [--rounds R] [--events E] [--watch-events W] [--postgres CONN]
# STATUS_BENCH_POSTGRES (or --postgres) also measures projection and watch latency on PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet run -c Release --project bench/Status.Bench -- "$@"
