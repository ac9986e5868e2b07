#!/usr/bin/env bash
# Starts the local stand-ins the integration tests use, runs the given
# command with their endpoints exported, and stops them afterwards:
#   dynalite (DynamoDB), aws-ses-v2-local (SES v2), moto server (CloudWatch
#   Logs, Lambda), and installs the Lambda Runtime Interface Emulator.
# Usage: .ci/standins.sh COMMAND [ARGS...]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
state=$(mktemp -d "${TMPDIR:-/tmp}/logwarden-standins.XXXXXX")
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$state"
}
trap cleanup EXIT

log() { echo "standins: $*" >&2; }
freeport() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
waitfor() { # name, max seconds, command...
  local name=$1 max=$2; shift 2
  local deadline=$((SECONDS + max))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS > deadline)); then log "$name did not become ready in ${max}s; its log:"; cat "$state/$name.log" >&2 || true; exit 1; fi
    sleep 0.1
  done
}

# Node stand-ins, pinned by package-lock.json.
if [ ! -d node_modules/dynalite ] || [ ! -d node_modules/aws-ses-v2-local ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing Node stand-ins (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error >&2
fi

# The Lambda Runtime Interface Emulator, built from the Go module proxy.
rie_version=v0.0.0-20261030222936-bef5c4ba774d
if [ ! -x .bin/aws-lambda-rie ] || [ "$(cat .bin/aws-lambda-rie.version 2>/dev/null)" != "$rie_version" ]; then
  log "installing aws-lambda-rie $rie_version"
  GOBIN="$root/.bin" GOFLAGS= go install "github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@$rie_version"
  echo "$rie_version" > .bin/aws-lambda-rie.version
fi
export LOGWARDEN_TEST_RIE="$root/.bin/aws-lambda-rie"

ddb_port=$(freeport)
node node_modules/dynalite/cli.js --host 127.0.0.1 --port "$ddb_port" \
  --createTableMs 0 --deleteTableMs 0 --updateTableMs 0 >"$state/dynalite.log" 2>&1 &
pids+=($!)
ses_port=$(freeport)
node node_modules/aws-ses-v2-local/dist/cli.js --host 127.0.0.1 --port "$ses_port" >"$state/ses.log" 2>&1 &
pids+=($!)
if python3 -c 'import moto.server' 2>/dev/null; then
  moto_port=$(freeport)
  python3 -m moto.server -H 127.0.0.1 -p "$moto_port" >"$state/moto.log" 2>&1 &
  pids+=($!)
else
  log "python3 moto is not installed: CloudWatch Logs subscription tests cannot run"
fi

ddb_ready() {
  curl -sf -X POST "http://127.0.0.1:$ddb_port/" -H 'X-Amz-Target: DynamoDB_20120810.ListTables' \
    -H 'Content-Type: application/x-amz-json-1.0' -H 'X-Amz-Date: 20260101T000000Z' \
    -H 'Authorization: AWS4-HMAC-SHA256 Credential=x/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=x' -d '{}'
}
waitfor dynalite 30 ddb_ready
waitfor ses 30 curl -sf "http://127.0.0.1:$ses_port/health-check"
export LOGWARDEN_TEST_DYNAMODB_ENDPOINT="http://127.0.0.1:$ddb_port"
export LOGWARDEN_TEST_SES_ENDPOINT="http://127.0.0.1:$ses_port"
if [ -n "${moto_port:-}" ]; then
  waitfor moto 60 curl -sf "http://127.0.0.1:$moto_port/moto-api/"
  export LOGWARDEN_TEST_MOTO_ENDPOINT="http://127.0.0.1:$moto_port"
fi
log "dynalite :$ddb_port, ses :$ses_port, moto :${moto_port:-none}, rie $LOGWARDEN_TEST_RIE"
"$@"
