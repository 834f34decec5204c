#!/usr/bin/env bash
# Runs the whole product on this machine with nothing else to install: an embedded Kafka broker,
# the schema registry endpoint, ingress, normalizer and status service (SQLite) in one process,
# with development provider secrets (services/Platform/platform.json). Builds the CLI and installs the
# `streaming` command (scripts/install-cli.sh).
# Extra arguments go to the platform, e.g. ./run.sh --ready-file ready.json --Platform:IngressPort=9000
set -euo pipefail
cd "$(dirname "$0")"
scripts/prerequisites.sh run
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build services/Platform -c Release -nologo -v quiet
scripts/install-cli.sh   # builds the CLI and puts `streaming` on the PATH (~/.local/bin)
# exec the platform itself (not `dotnet run`, which does not pass SIGINT on): the process this script
# leaves is the platform, and SIGINT or SIGTERM to it stops it cleanly.
exec dotnet services/Platform/bin/Release/net10.0/Streaming.Platform.dll "$@"
