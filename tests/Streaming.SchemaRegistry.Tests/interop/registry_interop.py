#!/usr/bin/python3
"""Interop check of our schema registry endpoint and Avro wire format against independent implementations.

Run by InteropTests (xunit) with Debian's /usr/bin/python3:
    registry_interop.py <registry-url> <input.json>
input.json: {"dotnet_wire_hex": "...", "probe_schema": "...", "probe_value": {...}}

- Confluent's Python client (python3-confluent-kafka) drives the registry REST API.
- Apache Avro's Python library (python3-avro) decodes the wire-format bytes Confluent's .NET AvroSerializer
  wrote and encodes a record that Confluent's .NET AvroDeserializer must read. Confluent's own
  AvroSerializer/AvroDeserializer need fastavro, which Debian 12 does not package; when fastavro
  is importable they are used as well.

Prints one JSON object: {"failures": [...], "decoded_from_dotnet": ..., "python_wire_hex": ..., ...}.
Exits 3 when a required module is missing, naming the Debian package to install
(python3-confluent-kafka, python3-requests, python3-avro).
"""
import io
import json
import struct
import sys

# Debian packages of the modules used here: python3-confluent-kafka only suggests python3-requests,
# which its schema_registry module needs.
DEBIAN_PACKAGES = {"confluent_kafka": "python3-confluent-kafka", "requests": "python3-requests", "avro": "python3-avro"}

try:
    import avro.io
    import avro.schema
    from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
    from confluent_kafka.schema_registry.error import SchemaRegistryError
except ImportError as e:
    package = DEBIAN_PACKAGES.get((e.name or "").split(".")[0], "python3-confluent-kafka python3-requests python3-avro")
    print(f"{e}: apt-get install {package}", file=sys.stderr)
    sys.exit(3)

USER_V1 = json.dumps({"type": "record", "name": "User", "namespace": "interop", "fields": [
    {"name": "id", "type": "string"}, {"name": "age", "type": "int"}]})
USER_V2_DEFAULT = json.dumps({"type": "record", "name": "User", "namespace": "interop", "fields": [
    {"name": "id", "type": "string"}, {"name": "age", "type": "int"},
    {"name": "email", "type": ["null", "string"], "default": None}]})
USER_V2_NO_DEFAULT = json.dumps({"type": "record", "name": "User", "namespace": "interop", "fields": [
    {"name": "id", "type": "string"}, {"name": "age", "type": "int"}, {"name": "email", "type": "string"}]})

failures = []


def check(name, condition, detail=""):
    if not condition:
        failures.append(f"{name}: {detail}")


def expect_error(name, code, call):
    try:
        call()
        failures.append(f"{name}: expected error_code {code}, got success")
    except SchemaRegistryError as e:
        check(name, e.error_code == code, f"expected error_code {code}, got {e.error_code} ({e.error_message})")


def avro_encode(schema, value):
    buffer = io.BytesIO()
    avro.io.DatumWriter(schema).write(value, avro.io.BinaryEncoder(buffer))
    return buffer.getvalue()


def avro_decode(writer, body):
    return avro.io.DatumReader(writer, writer).read(avro.io.BinaryDecoder(io.BytesIO(body)))


def to_json_safe(value):
    if isinstance(value, bytes):
        return {"$bytes": value.hex()}
    if isinstance(value, dict):
        return {k: to_json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_json_safe(v) for v in value]
    return value


def main():
    url, input_path = sys.argv[1], sys.argv[2]
    with open(input_path, encoding="utf-8") as f:
        given = json.load(f)

    client = SchemaRegistryClient({"url": url})
    subject = "interop-users-value"

    # Registry REST API through Confluent's client.
    user_id = client.register_schema(subject, Schema(USER_V1, "AVRO"))
    again = SchemaRegistryClient({"url": url}).register_schema(subject, Schema(USER_V1, "AVRO"))
    check("register twice gives one id", user_id == again, f"{user_id} != {again}")

    latest = client.get_latest_version(subject)
    check("latest id", latest.schema_id == user_id, f"{latest.schema_id} != {user_id}")
    check("latest version", latest.version == 1, str(latest.version))
    check("latest subject", latest.subject == subject, latest.subject)

    fetched = client.get_schema(user_id)
    check("schema by id type", fetched.schema_type == "AVRO", fetched.schema_type)
    check("schema by id equals registered",
          avro.schema.parse(fetched.schema_str) == avro.schema.parse(USER_V1), fetched.schema_str)

    looked_up = client.lookup_schema(subject, Schema(USER_V1, "AVRO"))
    check("lookup id", looked_up.schema_id == user_id, str(looked_up.schema_id))
    check("subjects", subject in client.get_subjects(), str(client.get_subjects()))
    check("versions", client.get_versions(subject) == [1], str(client.get_versions(subject)))

    check("compatible with default", client.test_compatibility(subject, Schema(USER_V2_DEFAULT, "AVRO")) is True)
    check("incompatible without default", client.test_compatibility(subject, Schema(USER_V2_NO_DEFAULT, "AVRO")) is False)
    expect_error("register incompatible", 409, lambda: client.register_schema(subject, Schema(USER_V2_NO_DEFAULT, "AVRO")))

    check("global compatibility", client.get_compatibility() == "BACKWARD", client.get_compatibility())
    client.set_compatibility(subject_name=subject, level="NONE")
    check("subject compatibility", client.get_compatibility(subject) == "NONE", client.get_compatibility(subject))
    v2_id = client.register_schema(subject, Schema(USER_V2_NO_DEFAULT, "AVRO"))
    check("register after NONE", v2_id != user_id and client.get_latest_version(subject).version == 2)
    check("get_version", client.get_version(subject, 1).schema_id == user_id)

    expect_error("unknown id", 40403, lambda: client.get_schema(987654))
    expect_error("unknown subject", 40401, lambda: client.get_latest_version("nobody-value"))
    expect_error("invalid schema", 42201, lambda: client.register_schema(subject, Schema('{"type":"nope"}', "AVRO")))
    expect_error("invalid level", 42203, lambda: client.set_compatibility(subject_name=subject, level="SIDEWAYS"))
    check("delete version", client.delete_version(subject, 2) == 2)
    check("deleted version hidden", client.get_versions(subject) == [1], str(client.get_versions(subject)))

    # Wire format: magic byte 0, 4-byte big-endian schema id, Avro binary body.
    wire = bytes.fromhex(given["dotnet_wire_hex"])
    check("magic byte", wire[0] == 0, str(wire[0]))
    schema_id = struct.unpack(">I", wire[1:5])[0]
    writer = avro.schema.parse(client.get_schema(schema_id).schema_str)
    decoded = avro_decode(writer, wire[5:])

    probe_schema = avro.schema.parse(given["probe_schema"])
    probe_subject = given["probe_subject"]
    probe_id = client.lookup_schema(probe_subject, Schema(given["probe_schema"], "AVRO")).schema_id
    check("probe id matches the wire id", probe_id == schema_id, f"{probe_id} != {schema_id}")
    value = given["probe_value"]
    value["raw"] = bytes.fromhex(value["raw"])
    python_wire = b"\x00" + struct.pack(">I", probe_id) + avro_encode(probe_schema, value)

    fastavro_result = "fastavro not importable (Debian 12 has no python3-fastavro): Confluent's AvroSerializer not exercised"
    try:
        import fastavro  # noqa: F401
        from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
        from confluent_kafka.serialization import MessageField, SerializationContext
        ctx = SerializationContext(probe_subject[:-len("-value")], MessageField.VALUE)
        confluent_bytes = AvroSerializer(client, given["probe_schema"], conf={"auto.register.schemas": False})(value, ctx)
        check("confluent serializer equals ours", confluent_bytes == python_wire, confluent_bytes.hex())
        check("confluent deserializer reads ours",
              AvroDeserializer(client)(wire, ctx) == avro_decode(writer, wire[5:]))
        fastavro_result = "exercised"
    except ImportError:
        pass

    print(json.dumps({
        "failures": failures,
        "decoded_from_dotnet": to_json_safe(decoded),
        "python_wire_hex": python_wire.hex(),
        "python_schema_id": probe_id,
        "fastavro": fastavro_result,
    }))


if __name__ == "__main__":
    main()
