#!/usr/bin/env bash
# Ingress benchmark: verified-webhook throughput and latency (1 KiB JSON, Inkless HMAC, acks=all
# on the embedded broker) against a bare 204 endpoint, side by side in one run on this machine.
#   1. max throughput of each with wrk (rounds alternate bare/ingress; best of each kept);
#   2. latency of each at 70% of the ingress's max rate, open loop (bench/openloop.c: requests sent
#      on schedule whatever the answers, latency measured from when each was due; one C thread on epoll, so the
#      generator takes about a quarter of a core at 18k req/s where a managed one took half).
# Usage: bench/ingress.sh [seconds-per-measurement]   Appends nothing; prints a BENCHMARKS.md block; exits 1 naming
# any target missed (ratio >= 0.5, ingress p99 <= 25 ms at 70 % of its max). BENCH_PIN=1 pins servers and load
# generators to separate CPUs; BENCH_LOADGEN_WARMUP (default 3 s) is sent at the rate before latencies count.
# Telemetry overhead: BENCH_TELEMETRY=off (no OpenTelemetry) vs BENCH_TELEMETRY=on (traces, metrics and logs
# exported by OTLP/HTTP to a local sink, bench/otlp_sink.py); unset runs the product's default (bench/telemetry.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/prerequisites.sh run
for tool in wrk:wrk cc:gcc; do
  if ! command -v "${tool%%:*}" >/dev/null; then
    package="${tool##*:}"
    if [ "$(id -u)" -eq 0 ]; then apt-get install -y -qq "$package" >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq "$package" >/dev/null; }; else echo "install $package: sudo apt-get install -y $package" >&2; exit 1; fi
  fi
done

duration="${1:-10}"
connections="${BENCH_CONNECTIONS:-32}"
rounds="${BENCH_ROUNDS:-2}"
secret="bench-inkless-secret"
work="$(mktemp -d)"
trap 'kill "$host_pid" 2>/dev/null || true; [ -z "${sink_pid:-}" ] || kill "$sink_pid" 2>/dev/null || true; rm -rf "$work"' EXIT
source bench/telemetry.sh

dotnet build bench/Ingress.Bench -c Release -nologo -v quiet >/dev/null
cc -O2 -Wall -o "$work/openloop" bench/openloop.c
/usr/bin/python3 bench/make_requests.py "$secret" 1000 "$work"

# BENCH_PIN=1: the servers on CPU 0, the load generators on CPU 1 (neither starves the other; the server gets one core).
server_cpu=(); client_cpu=()
if [ -n "${BENCH_PIN:-}" ]; then server_cpu=(taskset -c 0); client_cpu=(taskset -c 1); fi
"${server_cpu[@]}" dotnet bench/Ingress.Bench/bin/Release/net10.0/Ingress.Bench.dll "$work/ready.json" \
  "--Ingress:Providers:inkless:Secrets:0=$secret" --Ingress:ClientRateLimitPerSecond=0 $telemetry_args ${BENCH_INGRESS_ARGS:-} > "$work/host.log" 2>&1 &
host_pid=$!
for _ in $(seq 1 100); do [ -s "$work/ready.json" ] && break; sleep 0.2; done
[ -s "$work/ready.json" ] || { cat "$work/host.log"; exit 1; }
ingress=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["ingress"])' "$work/ready.json")
bare=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["bare"])' "$work/ready.json")

rps() { # url -> requests/s (fails the run on any non-2xx answer)
  local out
  out=$("${client_cpu[@]}" wrk -t1 -c"$connections" -d"${duration}s" -s "$work/requests.lua" "$1/webhooks/inkless")
  if grep -q "Non-2xx" <<<"$out"; then echo "non-2xx answers from $1:" >&2; echo "$out" >&2; exit 1; fi
  awk '/Requests\/sec/ {print $2}' <<<"$out"
}

# Warm-up (JIT, connections, producer batches), then alternating rounds.
"${client_cpu[@]}" wrk -t1 -c"$connections" -d10s -s "$work/requests.lua" "$ingress/webhooks/inkless" >/dev/null
"${client_cpu[@]}" wrk -t1 -c"$connections" -d5s -s "$work/requests.lua" "$bare/webhooks/inkless" >/dev/null
best_bare=0; best_ingress=0
for round in $(seq 1 "$rounds"); do
  b=$(rps "$bare"); i=$(rps "$ingress")
  echo "round $round: bare ${b} req/s, ingress ${i} req/s"
  best_bare=$(/usr/bin/python3 -c "print(max($best_bare, $b))")
  best_ingress=$(/usr/bin/python3 -c "print(max($best_ingress, $i))")
done

rate=$(/usr/bin/python3 -c "print(int($best_ingress * 0.7))")
latency() { # url -> "p50 p99 achieved" (ms, ms, req/s), open loop at the fixed rate
  local out
  out=$("${client_cpu[@]}" "$work/openloop" "$1/webhooks/inkless" "$rate" "$duration" "$work/requests.txt" 128 "${BENCH_LOADGEN_WARMUP:-3}")
  if ! grep -q " failed=0 " <<<"$out"; then echo "failed requests against $1:" >&2; echo "$out" >&2; exit 1; fi
  /usr/bin/python3 -c 'import sys; f = dict(kv.split("=") for kv in sys.argv[1].split()); print(f["p50"], f["p99"], f["achieved"])' "$out"
}
read -r bare_p50 bare_p99 bare_rate <<<"$(latency "$bare")"
read -r ing_p50 ing_p99 ing_rate <<<"$(latency "$ingress")"

ratio=$(/usr/bin/python3 -c "print(f'{$best_ingress / $best_bare:.2f}')")
kill -TERM "$host_pid" 2>/dev/null || true
wait "$host_pid" 2>/dev/null || true
cat <<REPORT

telemetry: ${telemetry_mode}
$(telemetry_report)

| measure | bare 204 endpoint | ingress (verify + acks=all publish) |
|---|---|---|
| max throughput (wrk, ${connections} connections, best of ${rounds} x ${duration} s) | ${best_bare} req/s | ${best_ingress} req/s |
| throughput ratio ingress / bare | | **${ratio}** (target >= 0.5) |
| latency at ${rate} req/s offered (70% of ingress max, open loop, bench/openloop.c, after ${BENCH_LOADGEN_WARMUP:-3} s at that rate) | p50 ${bare_p50} ms, p99 ${bare_p99} ms (achieved ${bare_rate}/s) | p50 ${ing_p50} ms, **p99 ${ing_p99} ms** (target <= 25 ms; achieved ${ing_rate}/s) |
REPORT
missed=$(/usr/bin/python3 -c "
m = []
if $best_ingress / $best_bare < 0.5: m.append('throughput ratio ' + f'{$best_ingress / $best_bare:.2f}' + ' < 0.5')
if $ing_p99 > 25: m.append('ingress p99 $ing_p99 ms > 25 ms')
print('; '.join(m))")
if [ -n "$missed" ]; then echo "RESULT targets MISSED: $missed"; exit 1; fi
echo "RESULT targets met"
