"""Python stubs for the gRPC interop clients, generated from contracts/ with Debian's protoc and
grpc_python_plugin (the independent toolchain), shared by every interop client in tests/."""
import importlib.util
import os
import re
import shutil
import subprocess

PROTOS = [
    "status/v1/document_status.proto",
    "grpc/health/v1/health.proto",
    "grpc/reflection/v1/reflection.proto",
    "grpc/reflection/v1alpha/reflection.proto",
]


HTTP_RULE = re.compile(r"\)\s*\{\s*option \(google\.api\.http\) = \{[^;]*\};\s*\}")


def without_http_rules(contracts, work):
    """A copy of the protos without the google.api.http options of the JSON face: they change nothing on the
    gRPC wire, and Debian packages no Python module for google/api/annotations.proto."""
    copy = os.path.join(work, "protos")
    for relative in PROTOS:
        text = open(os.path.join(contracts, relative)).read()
        text = text.replace('import "google/api/annotations.proto";\n', "")
        text = HTTP_RULE.sub(");", text)
        os.makedirs(os.path.dirname(os.path.join(copy, relative)), exist_ok=True)
        with open(os.path.join(copy, relative), "w") as out:
            out.write(text)
    return copy


def generate(contracts, work):
    plugin = shutil.which("grpc_python_plugin")
    if plugin is None or shutil.which("protoc") is None:
        raise SystemExit("protoc or grpc_python_plugin missing: apt-get install -y protobuf-compiler protobuf-compiler-grpc")
    contracts = without_http_rules(contracts, work)
    subprocess.run(
        ["protoc", "-I", contracts, "--python_out=" + work, "--grpc_out=" + work,
         "--plugin=protoc-gen-grpc=" + plugin] + PROTOS,
        check=True)


def load(work, relative, alias):
    # grpc/health/... and grpc/reflection/... would shadow the installed grpc package if imported
    # by their package path, so those modules are loaded from their files under another name.
    spec = importlib.util.spec_from_file_location(alias, os.path.join(work, relative))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
