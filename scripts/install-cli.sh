#!/usr/bin/env bash
# Puts the `streaming` command on the PATH: builds the CLI (Release) and writes a small wrapper that runs it,
# into ${STREAMING_BIN_DIR:-$HOME/.local/bin}/streaming. Idempotent; ./run.sh calls it.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$(pwd)"
bin_dir="${STREAMING_BIN_DIR:-$HOME/.local/bin}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build services/Cli -c Release -nologo -v quiet >/dev/null
mkdir -p "$bin_dir"
cat > "$bin_dir/streaming.tmp" <<WRAPPER
#!/bin/sh
# The streaming CLI of $repo (written by scripts/install-cli.sh).
exec dotnet "$repo/services/Cli/bin/Release/net10.0/streaming.dll" "\$@"
WRAPPER
chmod +x "$bin_dir/streaming.tmp"
mv "$bin_dir/streaming.tmp" "$bin_dir/streaming"
case ":$PATH:" in
  *":$bin_dir:"*) ;;
  *) echo "streaming is in $bin_dir, which is not on your PATH: export PATH=\"$bin_dir:\$PATH\"" >&2 ;;
esac
