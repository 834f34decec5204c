#!/usr/bin/python3
"""Independent signer for the ingress tests: Python's own hmac/hashlib/base64, not our code.

usage: sign.py hmac KEY_SPEC ENCODING < content
  KEY_SPEC  text:<secret> | b64:<base64 key>
  ENCODING  hex | base64
Prints the signature of the bytes on stdin.
"""
import base64
import hashlib
import hmac
import sys


def key_bytes(spec: str) -> bytes:
    kind, _, value = spec.partition(":")
    if kind == "text":
        return value.encode("utf-8")
    if kind == "b64":
        return base64.b64decode(value)
    raise SystemExit(f"unknown key spec {kind}")


def main() -> None:
    mode, spec, encoding = sys.argv[1], sys.argv[2], sys.argv[3]
    if mode != "hmac":
        raise SystemExit(f"unknown mode {mode}")
    digest = hmac.new(key_bytes(spec), sys.stdin.buffer.read(), hashlib.sha256).digest()
    sys.stdout.write(digest.hex() if encoding == "hex" else base64.b64encode(digest).decode("ascii"))


main()
