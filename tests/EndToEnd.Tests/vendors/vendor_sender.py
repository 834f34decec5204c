#!/usr/bin/python3
"""Sends webhooks exactly as each vendor's public documentation says its sender signs them, using only
Python's standard library and openssl: nothing here shares code with the product under test.

usage:
  vendor_sender.py --ingress URL --config FILE lifecycle PROVIDER TOKEN
  vendor_sender.py --ingress URL --config FILE attack PROVIDER KIND TOKEN

The config file is JSON: {"inscribe": {"secret": ...}, "insigner": {"secret": ...}, "instnt": {"private_key": PATH},
"inkless": {"secret": ...}, "generic": {"secret": "whsec_..."}}.
KIND: tampered | wrong-key | missing-signature | stale
Prints one JSON object per delivery: {"event", "status", "body"}; exits non-zero only on usage errors.
"""
import argparse
import base64
import hashlib
import hmac
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from datetime import datetime, timedelta, timezone


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def dumps(payload):
    return json.dumps(payload, separators=(",", ":")).encode("utf-8")


def rsa_sign_sha256(private_key_path, message):
    """RSA PKCS#1 v1.5 with SHA-256 over message (openssl dgst -sha256 -sign), base64."""
    with tempfile.NamedTemporaryFile() as out:
        subprocess.run(["openssl", "dgst", "-sha256", "-sign", private_key_path, "-out", out.name],
                       input=message, check=True)
        return base64.b64encode(open(out.name, "rb").read()).decode("ascii")


def other_rsa_key():
    path = os.path.join(tempfile.mkdtemp(), "other.pem")
    subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", path],
                   check=True, capture_output=True)
    return path


# --- Signers: one per vendor, each as that vendor's documentation describes its sender -----------------------

def sign_inscribe(cfg, body, meta, key=None):
    # docs.inscribe.ai "Getting started with Inscribe webhooks": HMAC hexdigest with SHA256 of the request body,
    # header X-INSCRIBE-SIGNATURE; X-INSCRIBE-TEST-MODE "true"/"false" on every webhook.
    secret = (key or cfg["secret"]).encode("utf-8")
    return {"X-INSCRIBE-SIGNATURE": hmac.new(secret, body, hashlib.sha256).hexdigest(), "X-INSCRIBE-TEST-MODE": "false"}


def sign_insigner(cfg, body, meta, key=None):
    # docs.insigner.co/webhooks/security: X-InSigner-Signature: sha256=<hex HMAC-SHA256(webhook_secret, raw body)>,
    # the secret used as given (its hex text); X-InSigner-Timestamp is Unix seconds, sent beside the signature.
    secret = (key or cfg["secret"]).encode("utf-8")
    return {
        "X-InSigner-Signature": "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest(),
        "X-InSigner-Timestamp": str(int(meta["at"].timestamp())),
        "X-InSigner-Delivery-Id": meta["id"],
        "X-InSigner-Event": meta["event"],
        "User-Agent": "inSigner-Webhooks/1.0",
    }


def sign_instnt(cfg, body, meta, key=None):
    # support.instnt.org "Instnt Webhooks" and Instnt's sample code: the SHA-256 digest of the payload is signed
    # with RSA PKCS#1 v1.5 (RSA-SHA256 over the digest bytes); base64 in Instnt-Signature.
    digest = hashlib.sha256(body).digest()
    return {"Instnt-Signature": rsa_sign_sha256(key or cfg["private_key"], digest)}


def sign_inkless(cfg, body, meta, key=None):
    # Inkless "Webhooks explained": X-Inkless-Signature is the base64 HMAC-SHA256 of the raw body, X-Inkless-Alg SHA256.
    secret = (key or cfg["secret"]).encode("utf-8")
    return {"X-Inkless-Signature": base64.b64encode(hmac.new(secret, body, hashlib.sha256).digest()).decode("ascii"),
            "X-Inkless-Alg": "SHA256"}


def sign_generic(cfg, body, meta, key=None):
    # Standard Webhooks 1.0: v1,<base64 HMAC-SHA256(base64-decoded whsec_ secret, "{id}.{timestamp}.{body}")>.
    secret = key or cfg["secret"]
    raw_key = base64.b64decode(secret[len("whsec_"):] if secret.startswith("whsec_") else secret)
    timestamp = str(int(meta["at"].timestamp()))
    content = f"{meta['id']}.{timestamp}.".encode("utf-8") + body
    return {
        "webhook-id": meta["id"],
        "webhook-timestamp": timestamp,
        "webhook-signature": "v1," + base64.b64encode(hmac.new(raw_key, content, hashlib.sha256).digest()).decode("ascii"),
    }


SIGNERS = {"inscribe": sign_inscribe, "insigner": sign_insigner, "instnt": sign_instnt, "inkless": sign_inkless,
           "generic": sign_generic}
SIGNATURE_HEADER = {"inscribe": "X-INSCRIBE-SIGNATURE", "insigner": "X-InSigner-Signature", "instnt": "Instnt-Signature",
                    "inkless": "X-Inkless-Signature", "generic": "webhook-signature"}


# --- Payloads: the shapes of each vendor's documentation, with fresh tokens -----------------------------------

def delivery(provider, event, token, at, **extra):
    """One webhook as the vendor's doc shows it: (body bytes, meta)."""
    meta = {"event": event, "at": at, "id": None}
    if provider == "inscribe":
        # A document result ("Get Document Results") or a customer ("Get Customer"); no event name in the body.
        if event == "customer.approval_status_changed":
            payload = {"id": token, "approval_status": extra["approval"], "updated_at": iso(at)}
        else:
            payload = {"document_id": token, "customer_id": "cus_" + token[-8:], "state": extra["state"],
                       "fraud_score": 0.03, "updated_at": iso(at)}
    elif provider == "insigner":
        meta["id"] = extra.get("id") or uuid.uuid4().hex
        payload = {"id": meta["id"], "event": event, "api_version": "2026-05-28", "created_at": iso(at),
                   "data": {"document_id": token, "signer_id": "sr_abc123", "email": "signer@example.com"}}
    elif provider == "instnt":
        meta["id"] = "evt_" + uuid.uuid4().hex[:8]
        data = {"transaction_id": token} if event.startswith("transaction.") else {"document_id": token, "transaction_id": "txn_" + token[-8:]}
        payload = {"id": meta["id"], "event_type": event, "event_name": "Document image.png submitted",
                   "timestamp": iso(extra.get("signed_at", at)), "data": data}
    elif provider == "inkless":
        payload = {"event": event, "secure_link_id": 271, "document_token": token, "timestamp": iso(at)}
    else:
        meta["id"] = extra.get("id") or "msg_" + uuid.uuid4().hex
        payload = {"type": event, "timestamp": iso(at),
                   "data": {"document_token": token, "verification_id": "ver_" + token[-8:], "result": extra.get("result", "")}}
    return dumps(payload), meta


def lifecycle(provider, token):
    """Deliveries in sending order; retries re-send the same body (same ids), as the vendors' retries do."""
    t0 = datetime.now(timezone.utc) - timedelta(seconds=30)
    at = lambda s: t0 + timedelta(seconds=s)
    if provider == "inscribe":
        queued = delivery(provider, "document.state_changed", token, at(0), state="QUEUED")
        processing = delivery(provider, "document.state_changed", token, at(1), state="PROCESSING")
        processed = delivery(provider, "document.state_changed", token, at(2), state="PROCESSED")
        return [queued, processed, processing, processed]  # out of order, then a retry
    if provider == "insigner":
        signed = delivery(provider, "signer.completed", token, at(0))
        completed = delivery(provider, "document.completed", token, at(1))
        return [completed, signed, completed]  # late signer event, then a retry of the completion
    if provider == "instnt":
        submitted = delivery(provider, "document.submitted", token, at(0))
        # The success event exactly as the doc spells it, trailing full stop included.
        success = delivery(provider, "document.verification.success.", token, at(1))
        return [submitted, success, success]
    if provider == "inkless":
        sent = delivery(provider, "document_signing_link_sent", token, at(0))
        signed = delivery(provider, "document_signed", token, at(1))
        complete = delivery(provider, "document_complete", token, at(2))
        envelope = delivery(provider, "envelope_complete", token, at(3))
        return [sent, complete, signed, signed, envelope]
    created = delivery(provider, "verification.created", token, at(0))
    completed = delivery(provider, "verification.completed", token, at(1), result="approved")
    return [created, completed, completed]


def post(ingress, provider, body, headers):
    request = urllib.request.Request(f"{ingress.rstrip('/')}/webhooks/{provider}", data=body, method="POST")
    request.add_header("Content-Type", "application/json")
    for name, value in headers.items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


def send(ingress, provider, cfg, body, meta, key=None, drop=None, body_override=None):
    # A retry is signed again at its own time (fresh timestamp), as inSigner and Standard Webhooks senders do.
    headers = SIGNERS[provider](cfg, body, dict(meta, at=meta["at"] if provider == "instnt" else datetime.now(timezone.utc)), key)
    if drop:
        headers.pop(drop)
    status, text = post(ingress, provider, body_override or body, headers)
    print(json.dumps({"event": meta["event"], "status": status, "body": text}), flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--ingress", required=True)
    parser.add_argument("--config", required=True)
    parser.add_argument("mode", choices=["lifecycle", "attack", "handshake"])
    parser.add_argument("provider", choices=sorted(SIGNERS))
    parser.add_argument("rest", nargs="+")
    args = parser.parse_args()
    config = json.load(open(args.config))
    cfg = config[args.provider]

    if args.mode == "handshake":
        # Inkless: saving the URL POSTs a verification_secret, to be echoed as text/plain with 200.
        body = dumps({"verification_secret": args.rest[0], "provider": "inkless", "webhook_id": 42, "timestamp": iso(datetime.now(timezone.utc))})
        status, text = post(args.ingress, args.provider, body, {})
        print(json.dumps({"event": "handshake", "status": status, "body": text}), flush=True)
        return 0

    if args.mode == "lifecycle":
        for body, meta in lifecycle(args.provider, args.rest[0]):
            send(args.ingress, args.provider, cfg, body, meta)
        return 0

    kind, token = args.rest[0], args.rest[1]
    now = datetime.now(timezone.utc)
    event = {"inscribe": "document.state_changed", "insigner": "document.completed", "instnt": "document.verification.success.",
             "inkless": "document_complete", "generic": "verification.completed"}[args.provider]
    if kind == "stale":
        stale = now - timedelta(minutes=6)
        body, meta = delivery(args.provider, event, token, stale, state="PROCESSED", result="approved", signed_at=stale)
        # Signed correctly, but at (or, for inSigner, stamped with) a time outside the receiver's 5-minute window.
        headers = SIGNERS[args.provider](cfg, body, meta)
        status, text = post(args.ingress, args.provider, body, headers)
        print(json.dumps({"event": event, "status": status, "body": text}), flush=True)
        return 0

    body, meta = delivery(args.provider, event, token, now, state="PROCESSED", result="approved")
    if kind == "tampered":
        send(args.ingress, args.provider, cfg, body, meta, body_override=body.replace(b"\"PROCESSED\"", b"\"FAILED\"")
             if args.provider == "inscribe" else body.replace(token.encode(), (token[:-1] + "x").encode()))
    elif kind == "wrong-key":
        wrong = {"instnt": other_rsa_key(), "generic": "whsec_" + base64.b64encode(os.urandom(32)).decode("ascii")}.get(
            args.provider, "not-the-secret")
        send(args.ingress, args.provider, cfg, body, meta, key=wrong)
    elif kind == "missing-signature":
        send(args.ingress, args.provider, cfg, body, meta, drop=SIGNATURE_HEADER[args.provider])
    else:
        raise SystemExit(f"unknown attack {kind}")
    return 0


sys.exit(main())
