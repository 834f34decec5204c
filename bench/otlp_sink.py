#!/usr/bin/env python3
"""A local OTLP/HTTP sink for the benchmarks' telemetry-on runs (BENCH_TELEMETRY=on).

Accepts POST /v1/traces, /v1/metrics and /v1/logs (protobuf or JSON), answers 200 with an empty
export response, and counts what arrived; nothing is decoded or kept. Usage: otlp_sink.py PORT_FILE
(listens on a free port of 127.0.0.1, writes the port to PORT_FILE). SIGTERM prints the counts and exits.
"""
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

counts = {}
lock = threading.Lock()


class Sink(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        signal_name = self.path.rstrip("/").rsplit("/", 1)[-1]
        with lock:
            requests, size = counts.get(signal_name, (0, 0))
            counts[signal_name] = (requests + 1, size + len(body))
        self.send_response(200)
        self.send_header("Content-Type", self.headers.get("Content-Type") or "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format, *args):
        pass


def summary():
    with lock:
        parts = [f"{name}: {requests} requests, {size / 1048576:.1f} MiB" for name, (requests, size) in sorted(counts.items())]
    return "OTLP sink received " + ("; ".join(parts) if parts else "nothing")


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Sink)
    with open(sys.argv[1] + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    import os
    os.replace(sys.argv[1] + ".tmp", sys.argv[1])

    def stop(*_):
        print(summary(), flush=True)
        threading.Thread(target=server.shutdown).start()

    signal.signal(signal.SIGTERM, stop)
    server.serve_forever()


if __name__ == "__main__":
    main()
