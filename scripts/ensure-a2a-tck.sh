#!/usr/bin/env bash
# Installs the Debian Python packages the official A2A compatibility kit needs
# (../shared/a2a-tck/PROVENANCE.md) when Debian's python3 cannot import them
# (`npm test` runs this first; `npm run test:a2a-tck` runs the kit). Idempotent and quiet.
set -euo pipefail
py=/usr/bin/python3
modules="pytest pytest_asyncio httpx requests responses deepdiff jsonschema packaging yaml dotenv grpc google.protobuf OpenSSL aiohttp"
check="import importlib, sys
missing = [m for m in sys.argv[1:] if importlib.util.find_spec(m.split('.')[0]) is None]
sys.exit(1 if missing else 0)"
[ -x "$py" ] && "$py" -c "$check" $modules 2>/dev/null && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-a2a-tck: Debian's python3 with the kit's packages is missing and apt-get is not available; install: $modules" >&2
  exit 1
fi
echo "ensure-a2a-tck: installing Debian's Python packages for the A2A compatibility kit"
sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
$sudo apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3 python3-pytest python3-pytest-asyncio python3-httpx python3-requests \
  python3-responses python3-deepdiff python3-jsonschema python3-packaging python3-yaml python3-dotenv python3-grpcio \
  python3-protobuf python3-openssl python3-aiohttp >/dev/null
