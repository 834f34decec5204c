#!/usr/bin/python3
"""Decodes one Avro-encoded DocumentEvent with Apache's Python avro (Debian python3-avro).

Usage: decode_document_event.py <schema.avsc> < body.hex
Reads the hex of the Avro body (no Confluent header) on stdin and prints the datum as JSON:
timestamps as milliseconds since the epoch, enums as their symbols.
"""
import datetime
import io
import json
import sys

import avro.io
import avro.schema

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


def plain(value):
    if isinstance(value, datetime.datetime):
        return (value - EPOCH) // datetime.timedelta(milliseconds=1)
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    return value


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        schema = avro.schema.parse(f.read())
    body = bytes.fromhex(sys.stdin.read().strip())
    datum = avro.io.DatumReader(schema, schema).read(avro.io.BinaryDecoder(io.BytesIO(body)))
    json.dump(plain(datum), sys.stdout, sort_keys=True)


if __name__ == "__main__":
    main()
