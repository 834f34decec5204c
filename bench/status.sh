#!/usr/bin/env bash
# Status service benchmark in one run (embedded broker): GetDocumentStatus calls/s vs a constant endpoint on the same
# stack (Grpc.AspNetCore), driven by Grpc.Net.Client and by h2load (ratio, p99; also with a bearer token required, as
# deployed), GetDocumentStatus latency over a bulk-loaded store, projection events/s, commit-to-watcher latency.
# Usage: bench/status.sh [--documents N] [--concurrency C] [--seconds S] [--rounds R] [--events E] [--watch-events W] [--postgres CONN] [--projection-only] [--warmup-events N]
# --projection-only skips the API figures (1, 2) and measures the projection and watch latency only. Each store is
# first warmed up with --warmup-events events (default 50000; 0: none) over a topic and store of its own, so that the
# projection figure is a running replica's, not its first seconds while the runtime compiles (tiered compilation).
# STATUS_BENCH_POSTGRES (or --postgres) also measures projection and watch latency on PostgreSQL.
# Exits 1 when a target is missed (ratio >= 0.5, h2load ratio >= 0.6 with p99 < 5 ms over 1M documents, 1-caller p99 < 5 ms, commit-to-watcher p99 < 100 ms, PostgreSQL
# projection >= 30,000 events/s) and names it on the last line.
set -euo pipefail
cd "$(dirname "$0")/.."
# h2load (Debian nghttp2-client) drives the gRPC comparison as an independent load generator.
if ! command -v h2load >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ]; then { apt-get install -y -qq --no-install-recommends nghttp2-client >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq --no-install-recommends nghttp2-client >/dev/null; }; }; else echo "install nghttp2-client for the h2load figures" >&2; fi
fi
dotnet run -c Release --project bench/Status.Bench -- "$@"
