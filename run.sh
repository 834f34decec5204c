#!/usr/bin/env bash
# Runs the product on this machine with nothing else to install: the ingress on an embedded
# Kafka broker, with development provider secrets (services/Ingress/appsettings.Development.json).
# Extra arguments go to the service, e.g. ./run.sh --urls http://0.0.0.0:8080
set -euo pipefail
cd "$(dirname "$0")"
scripts/prerequisites.sh run
export DOTNET_ENVIRONMENT="${DOTNET_ENVIRONMENT:-Development}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build services/Ingress -c Release -nologo -v quiet
exec dotnet run --no-build -c Release --project services/Ingress -- "$@"
