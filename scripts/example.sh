#!/usr/bin/env bash
# `npm run example`: runs the countopens tool for 5 s (or --duration N). A quiet machine may
# open no files at all in that time, so a light workload (a node process reading a file 20
# times a second, "node" in the report) runs beside it to make the demo show live rows.
set -u
cd "$(dirname "$0")/.."
scripts/ensure-kernel-fs.sh
node -e 'setInterval(() => require("fs").readFileSync("/etc/hostname"), 50)' &
workload=$!
trap 'kill "$workload" 2>/dev/null' EXIT INT TERM
node examples/out/countopens/main.js "$@"
