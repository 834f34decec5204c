# Sourced by bench/ingress.sh and bench/e2e.sh: the telemetry the measured process runs with (BENCH_TELEMETRY).
#   unset  the product's default: Prometheus metrics on /metrics, no spans, nothing exported;
#   off    Telemetry:Enabled=false: no OpenTelemetry at all (the baseline for the overhead figure);
#   on     traces, metrics and logs exported by OTLP/HTTP (OTEL_EXPORTER_OTLP_ENDPOINT) to a local sink,
#          bench/otlp_sink.py, whose counts are printed at the end (proof the export ran).
# Sets telemetry_args (arguments for the measured process) and telemetry_mode; needs $work.
telemetry_args=""
telemetry_mode="default (Prometheus metrics, no spans, no export)"
sink_pid=""
case "${BENCH_TELEMETRY:-}" in
  "") ;;
  off|0)
    telemetry_args="--Telemetry:Enabled=false"
    telemetry_mode="off (Telemetry:Enabled=false)" ;;
  on|1)
    /usr/bin/python3 bench/otlp_sink.py "$work/otlp.port" > "$work/otlp.log" 2>&1 &
    sink_pid=$!
    for _ in $(seq 1 50); do [ -s "$work/otlp.port" ] && break; sleep 0.1; done
    [ -s "$work/otlp.port" ] || { echo "the OTLP sink did not start" >&2; cat "$work/otlp.log" >&2; exit 1; }
    export OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$(cat "$work/otlp.port")" OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf
    telemetry_mode="on (traces, metrics and logs by OTLP/HTTP to bench/otlp_sink.py)" ;;
  *) echo "BENCH_TELEMETRY must be on, off or unset" >&2; exit 1 ;;
esac

# Prints what the sink received (when it ran); call after the measured process stopped exporting.
telemetry_report() {
  if [ -n "$sink_pid" ]; then
    kill -TERM "$sink_pid" 2>/dev/null || true
    wait "$sink_pid" 2>/dev/null || true
    sink_pid=""
    cat "$work/otlp.log"
  fi
}
