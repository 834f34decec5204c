"""Decodes Confluent wire-format DocumentEvent values with Apache Avro for Python (Debian python3-avro).

stdin: one hex-encoded message per line. argv[1]: the .avsc. stdout: one JSON object per message.
An independent implementation: if this reads what the normalizer wrote, the bytes follow the spec.
"""
import io
import json
import struct
import sys

import avro.io
import avro.schema

with open(sys.argv[1], encoding="utf-8") as f:
    schema = avro.schema.parse(f.read())
reader = avro.io.DatumReader(schema)

for line in sys.stdin:
    line = line.strip()
    if not line:
        continue
    data = bytes.fromhex(line)
    magic, schema_id = struct.unpack(">bI", data[:5])
    assert magic == 0, "magic byte"
    record = reader.read(avro.io.BinaryDecoder(io.BytesIO(data[5:])))
    record["_schema_id"] = schema_id
    for key in ("occurred_at", "received_at"):
        value = record[key]
        record[key] = value.isoformat() if hasattr(value, "isoformat") else value
    print(json.dumps(record, sort_keys=True))
