#!/usr/bin/env bash
# Requests/second of the sandbox estate: the server in its own process, wrk (Debian package) on the
# other core, keep-alive, cycling over every mi.com page of the scenario (pre-warmed, so cached).
# usage: bash bench/sandbox_rate.sh [SCALE]   (needs: apt-get install wrk)
set -euo pipefail
scale=${1:-1}
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 -m auditor sandbox serve --scale "$scale" --https-port "$port" --http-port 0 --json >/tmp/sandbox-rate.json &
pid=$!
trap 'kill $pid' EXIT
for _ in $(seq 100); do [ -s /tmp/sandbox-rate.json ] && break; sleep 0.2; done
paths=$(mktemp)
python3 - "$scale" >"$paths" <<'PY'
import sys
from auditor.sandbox import Estate, load
e = Estate(load("default", scale=int(sys.argv[1])))
for url in e.pages:
    if url.startswith("https://www.mi.com/"):
        print(url[len("https://www.mi.com"):])
PY
echo "paths: $(wc -l <"$paths"), cores: $(nproc), scale: $scale"
PATHS_FILE=$paths HOST=www.mi.com wrk -t1 -c16 -d3s -s bench/sandbox_rate.lua "http://127.0.0.1:$port" >/dev/null  # warm the cache
PATHS_FILE=$paths HOST=www.mi.com wrk -t1 -c32 -d10s -s bench/sandbox_rate.lua "http://127.0.0.1:$port"
