#!/usr/bin/env bash
# Runs the whole product on this machine with nothing else to install: an embedded Kafka broker,
# the schema registry endpoint, ingress, normalizer and status service (SQLite) in one process,
# with development provider secrets (services/Platform/platform.json). Builds the CLI too.
# Extra arguments go to the platform, e.g. ./run.sh --ready-file ready.json --Platform:IngressPort=9000
set -euo pipefail
cd "$(dirname "$0")"
scripts/prerequisites.sh run
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build services/Platform -c Release -nologo -v quiet
dotnet build services/Cli -c Release -nologo -v quiet
exec dotnet run --no-build -c Release --project services/Platform -- "$@"
