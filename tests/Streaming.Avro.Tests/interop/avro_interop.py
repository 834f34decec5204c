#!/usr/bin/python3
"""Cross-checks Streaming.Avro against Apache's Python avro (Debian python3-avro).

Run with /usr/bin/python3. Reads one JSON request on stdin and writes one JSON answer on stdout:
  {"op": "decode", "writer": <schema>, "reader": <schema>, "hex": "..."}  -> {"datum": <plain JSON>}
  {"op": "encode", "schema": <schema>, "datum": <tagged JSON>}              -> {"hex": "..."}
  {"op": "canonical", "schema": <schema>}                                   -> {"canonical": "..."}

Plain JSON (our common rendering of decoded data): bytes and fixed as "hex:<hex>", timestamps as
microseconds since the epoch, dates as days since the epoch, times as microseconds since midnight,
decimals as strings, records and maps as objects, enums as their symbol.
Tagged JSON (input to encode) is plain JSON where a non-null union value is {"<branch name>": value}.
"""
import datetime
import decimal
import io
import json
import sys
import uuid

try:
    import avro.io
    import avro.schema
except ImportError:
    print("python3-avro is missing: apt-get install python3-avro", file=sys.stderr)
    sys.exit(3)

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
EPOCH_DATE = datetime.date(1970, 1, 1)
MICRO = datetime.timedelta(microseconds=1)


def plain(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, bytes):
        return "hex:" + value.hex()
    if isinstance(value, datetime.datetime):
        return (value - EPOCH) // MICRO
    if isinstance(value, datetime.date):
        return (value - EPOCH_DATE).days
    if isinstance(value, datetime.time):
        return ((value.hour * 60 + value.minute) * 60 + value.second) * 1_000_000 + value.microsecond
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    raise TypeError(f"cannot render {type(value).__name__}")


def branch_name(schema):
    return schema.fullname if hasattr(schema, "fullname") else schema.type


def from_tagged(schema, value):
    if isinstance(schema, avro.schema.UnionSchema):
        if value is None:
            return None
        ((name, inner),) = value.items()
        branch = next(b for b in schema.schemas if branch_name(b) == name)
        return from_tagged(branch, inner)
    logical = schema.get_prop("logicalType")
    if schema.type == "record":
        return {field.name: from_tagged(field.type, value[field.name]) for field in schema.fields}
    if schema.type == "array":
        return [from_tagged(schema.items, item) for item in value]
    if schema.type == "map":
        return {key: from_tagged(schema.values, item) for key, item in value.items()}
    if schema.type in ("bytes", "fixed"):
        return decimal.Decimal(value) if logical == "decimal" else bytes.fromhex(value[len("hex:"):])
    if logical in ("timestamp-millis", "timestamp-micros"):
        return EPOCH + value * MICRO
    if logical == "date":
        return EPOCH_DATE + datetime.timedelta(days=value)
    if logical in ("time-millis", "time-micros"):
        return (datetime.datetime.min + value * MICRO).time()
    return value


def main():
    request = json.load(sys.stdin)
    op = request["op"]
    if op == "decode":
        writer = avro.schema.parse(json.dumps(request["writer"]))
        reader = avro.schema.parse(json.dumps(request["reader"]))
        decoder = avro.io.BinaryDecoder(io.BytesIO(bytes.fromhex(request["hex"])))
        answer = {"datum": plain(avro.io.DatumReader(writer, reader).read(decoder))}
    elif op == "encode":
        schema = avro.schema.parse(json.dumps(request["schema"]))
        buffer = io.BytesIO()
        avro.io.DatumWriter(schema).write(from_tagged(schema, request["datum"]), avro.io.BinaryEncoder(buffer))
        answer = {"hex": buffer.getvalue().hex()}
    elif op == "canonical":
        answer = {"canonical": avro.schema.parse(json.dumps(request["schema"])).canonical_form}
    else:
        raise ValueError(f"unknown op {op}")
    json.dump(answer, sys.stdout)


if __name__ == "__main__":
    main()
