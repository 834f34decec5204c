#!/usr/bin/python3
"""Writes signed 1 KiB Inkless-style webhooks for the benchmark load generators.

usage: make_requests.py SECRET COUNT OUT_DIR
Creates OUT_DIR/requests.lua (a wrk script cycling through COUNT distinct signed requests,
one document token each) and OUT_DIR/requests.txt (the same requests for bench/openloop.c).
Signatures: Python's hmac, base64 HMAC-SHA256 of the exact body (Inkless's scheme).
"""
import base64
import hashlib
import hmac
import json
import os
import sys

secret, count, out = sys.argv[1].encode(), int(sys.argv[2]), sys.argv[3]
os.makedirs(out, exist_ok=True)


def body(i: int) -> bytes:
    doc = {"event": "document_signed", "secure_link_id": i, "document_token": f"doc_bench_{i:06d}",
           "timestamp": "2026-03-11T23:25:31Z", "note": ""}
    raw = json.dumps(doc, separators=(",", ":")).encode()
    doc["note"] = "x" * (1024 - len(raw))  # pad to exactly 1 KiB
    raw = json.dumps(doc, separators=(",", ":")).encode()
    assert len(raw) == 1024, len(raw)
    return raw


def sign(raw: bytes) -> str:
    return base64.b64encode(hmac.new(secret, raw, hashlib.sha256).digest()).decode()


lines = ["requests = {}"]
for i in range(count):
    raw = body(i)
    lines.append(
        "requests[%d] = wrk.format('POST', '/webhooks/inkless', {['Host']='127.0.0.1', ['Content-Type']='application/json', ['X-Inkless-Signature']='%s', ['X-Inkless-Alg']='SHA256'}, '%s')"
        % (i + 1, sign(raw), raw.decode()))
lines += [
    "local n = 0",
    "request = function()",
    "  n = n %% %d + 1" % count,
    "  return requests[n]",
    "end",
]
with open(os.path.join(out, "requests.lua"), "w") as f:
    f.write("\n".join(lines) + "\n")
with open(os.path.join(out, "requests.txt"), "w") as f:
    for i in range(count):
        raw = body(i)
        headers = "|".join(["Content-Type:application/json", "X-Inkless-Signature:" + sign(raw), "X-Inkless-Alg:SHA256"])
        f.write(headers + "\t" + base64.b64encode(raw).decode() + "\n")
