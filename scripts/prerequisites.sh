#!/usr/bin/env bash
# Installs what the product and its tests need on Debian or Ubuntu: the OS packages below
# via apt when running as root; otherwise prints the exact command to run.
# Usage: scripts/prerequisites.sh [run|test]   (test also installs the independent interop peers)
set -euo pipefail

mode="${1:-run}"

# The Kafka client's native library comes with the application (NuGet librdkafka.redist), not from the OS.
packages=(ca-certificates)
if [ "$mode" = "test" ]; then
  packages+=(
    openssl                                   # independent RSA signatures in the ingress tests
    python3 python3-avro                      # Apache Avro (Python) for Avro interop
    python3-confluent-kafka python3-requests  # Confluent's Python schema registry client
    python3-grpcio python3-protobuf protobuf-compiler protobuf-compiler-grpc  # gRPC interop
    libprotobuf-dev                           # protoc's well-known types (google/protobuf/timestamp.proto)
    postgresql                                # the status store's PostgreSQL tests
    docker-compose python3-yaml               # deployment tests: compose config, rendered manifests
  )
  # kubectl with kustomize for the deployment tests: Debian's, unless one is installed already
  # (another vendor's kubectl package owns the same path).
  command -v kubectl >/dev/null 2>&1 || packages+=(kubernetes-client)
  # Node runs Instnt's own sample signing code in the ingress tests: Debian's, unless one is installed already.
  command -v node >/dev/null 2>&1 || packages+=(nodejs)
fi

if ! command -v dotnet >/dev/null 2>&1; then
  echo "error: the .NET 10 SDK is required (dotnet not found on PATH)." >&2
  echo "       see https://learn.microsoft.com/dotnet/core/install/linux-debian" >&2
  exit 1
fi

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  echo "Installing OS packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "error: missing OS packages: ${missing[*]}" >&2
  echo "       install them with: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
