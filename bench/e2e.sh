#!/usr/bin/env bash
# End-to-end benchmark on the embedded platform (services/Platform, one process): webhooks at a fixed rate
# (open loop, all five providers, each a new document) and, per document, the time from the ingress's 2xx
# to the gRPC watcher's notification; the platform's peak memory (VmHWM). Client and platform share the machine.
# Usage: bench/e2e.sh [rate=1000] [seconds=60]   Prints a BENCHMARKS.md block; exits 1 when a target is missed
# (end-to-end p50 < 25 ms, p99 < 100 ms, platform peak RSS < 300 MiB, no webhook rejected, every accepted document
# notified; the targets for 2,000 webhooks/s for 60 s).
# Telemetry overhead: BENCH_TELEMETRY=off (no OpenTelemetry) vs BENCH_TELEMETRY=on (traces, metrics and logs
# exported by OTLP/HTTP to a local sink, bench/otlp_sink.py); unset runs the product's default (bench/telemetry.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/prerequisites.sh run
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

rate="${1:-1000}"
seconds="${2:-60}"
work="$(mktemp -d)"
platform_pid=""
cleanup() { if [ -n "$platform_pid" ]; then kill -TERM "$platform_pid" 2>/dev/null || true; wait "$platform_pid" 2>/dev/null || true; fi; [ -z "${sink_pid:-}" ] || kill "$sink_pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
source bench/telemetry.sh

dotnet build services/Platform -c Release -nologo -v quiet >/dev/null
dotnet build bench/E2E.Bench -c Release -nologo -v quiet >/dev/null

dotnet services/Platform/bin/Release/net10.0/Streaming.Platform.dll --ready-file "$work/ready.json" \
  --Platform:IngressPort=0 --Platform:GrpcPort=0 --Platform:SchemaRegistryPort=0 --Platform:StatusHttpPort=0 $telemetry_args ${BENCH_PLATFORM_ARGS:-} > "$work/platform.log" 2>&1 &
platform_pid=$!
for _ in $(seq 1 300); do [ -s "$work/ready.json" ] && break; sleep 0.2; done
[ -s "$work/ready.json" ] || { cat "$work/platform.log"; exit 1; }

result=$(dotnet bench/E2E.Bench/bin/Release/net10.0/E2E.Bench.dll "$work/ready.json" "$rate" "$seconds" 5)
hwm_kb=$(awk '/VmHWM/ {print $2}' "/proc/$platform_pid/status")
rss_kb=$(awk '/VmRSS/ {print $2}' "/proc/$platform_pid/status")
kill -TERM "$platform_pid" 2>/dev/null || true
wait "$platform_pid" 2>/dev/null || true
platform_pid=""
echo "telemetry: ${telemetry_mode}"
telemetry_report

/usr/bin/python3 - "$result" "$hwm_kb" "$rss_kb" <<'PY'
import json, sys
r = json.loads(sys.argv[1]); hwm = int(sys.argv[2]) / 1024; rss = int(sys.argv[3]) / 1024
e = r["endToEndMs"]; i = r["ingressMs"]
print(f"embedded platform, {r['rate']:.0f} webhooks/s for {r['seconds']:.0f} s (achieved {r['achievedRate']}/s), 5 providers round robin")
print(f"sent {r['sent']}, accepted {r['accepted']}, rejected {r['rejected']}, notified {r['notified']}, missing {r['missing']}, watcher dropped {r['watcherDrops']} times")
print(f"ingress 2xx latency: p50 {i['p50']} ms, p99 {i['p99']} ms, max {i['max']} ms")
print(f"end to end (2xx -> watch notification): p50 {e['p50']} ms, p90 {e['p90']} ms, p99 {e['p99']} ms, max {e['max']} ms")
print(f"platform memory: peak RSS (VmHWM) {hwm:.0f} MiB, RSS at the end {rss:.0f} MiB")
print(f"load generator: GC pauses while sending {r['generatorGcPauseMs']} ms in total; {r['generatorGen2Collections']} gen2 collections in its life")
ok = e["p50"] < 25 and e["p99"] < 100 and hwm < 300 and r["rejected"] == 0 and r["missing"] == 0
print("RESULT " + ("targets met" if ok else "targets MISSED") + " (p50 < 25 ms, p99 < 100 ms, peak RSS < 300 MiB, nothing rejected or missing)")
sys.exit(0 if ok else 1)
PY
