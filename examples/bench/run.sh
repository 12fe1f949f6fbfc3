#!/usr/bin/env bash
# Runs the benchmarks in interleaved rounds (all benchmarks once per round,
# so that a noisy moment hits every method alike) and writes BENCHMARKS.md.
# ROUNDS=n sets the number of rounds (default 7).
set -euo pipefail
cd "$(dirname "$0")"
rounds=${ROUNDS:-7}
go generate ./...
go test -run TestAgreement -count=1 .
(cd ../gonum && go generate ./... && go test -count=1 ./newton ./stiff ./robot ./bratu)
out=$(mktemp)
second=$(mktemp)
for i in $(seq "$rounds"); do
	echo "round $i of $rounds" >&2
	go test -run '^$' -bench . -benchmem -benchtime 300ms -count 1 . >>"$out"
	# Second derivatives and Jacobians: the gonum examples' benchmarks.
	(cd ../gonum && go test -run '^$' -bench . -benchmem -benchtime 300ms -count 1 ./newton ./stiff ./robot ./bratu) >>"$second"
done
go run ./report "$second" <"$out" >BENCHMARKS.md
rm -f "$out" "$second"
cat BENCHMARKS.md
