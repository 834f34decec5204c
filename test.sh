#!/usr/bin/env bash
# Runs every test of the solution (unit, integration on the embedded broker and real HTTP/2,
# interop against independent implementations), installing what is missing first.
# Set KAFKA_BOOTSTRAP_SERVERS (any broker) or STREAMING_TEST_KAFKA=testcontainers (Kafka in a container,
# needs Docker) to run the Kafka tests against a real broker instead.
set -euo pipefail
cd "$(dirname "$0")"
scripts/prerequisites.sh test
# dotnet-stack (.config/dotnet-tools.json): a test that finds a process not stopping reports its managed stacks.
dotnet tool restore >/dev/null || echo "warning: dotnet tool restore failed; hung processes will be reported without stacks" >&2
# PostgreSQL for the status store tests: a throwaway server unless TEST_POSTGRES_CONNECTION is already set,
# stopped (and deleted) when this script ends, however it ends (success, failure, Ctrl+C).
if [ -z "${TEST_POSTGRES_CONNECTION:-}" ]; then
  trap 'scripts/postgres-for-tests.sh --stop' EXIT
  trap 'exit 130' INT TERM
fi
TEST_POSTGRES_CONNECTION="$(scripts/postgres-for-tests.sh)"
export TEST_POSTGRES_CONNECTION
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build Streaming.sln -c Release -nologo -v quiet
log="$(mktemp)"
status=0
dotnet test Streaming.sln -c Release --no-build -nologo --filter "FullyQualifiedName!~Streaming.Chaos.Tests" "$@" 2>&1 | tee "$log" || status=$?
# The chaos run (five processes under load and faults) takes the whole machine: alone, after everything else.
dotnet test tests/Chaos.Tests -c Release --no-build -nologo "$@" 2>&1 | tee -a "$log" || status=$?
# One closing line for the whole run.
awk '/(Passed|Failed)! +- Failed: /{
  gsub(",", ""); for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) }
} END { printf "%d passed, %d failed, %d skipped\n", p, f, s }' "$log"
rm -f "$log"
exit "$status"
