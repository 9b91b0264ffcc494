#!/usr/bin/env bash
# Runs the fuzz targets of fuzz/ (cargo-fuzz, libFuzzer) one after the other, each for SECONDS
# (default 20), on one core: scripts/fuzz.sh [SECONDS] [TARGET...] (all targets by default).
# Each target starts from its seeds (fuzz/seeds/TARGET, taken from testdata/) plus what earlier
# runs kept (fuzz/corpus/TARGET). A crash, a timeout (an input running over 10 s) or an input
# using over 1 GB of memory stops the run with the failing input saved under
# fuzz/artifacts/TARGET/, and the script exits 1; once fixed, keep it in
# fuzz/regressions/TARGET/ (cargo test replays those). It needs the nightly toolchain and cargo-fuzz
# (`cargo install cargo-fuzz --locked`); without them it says so and exits 0, unless
# FUZZ_REQUIRED=1 (then exit 2). Each target's last libFuzzer status line (executions, coverage)
# is printed as it finishes.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"

seconds=${1:-20}
shift || true
targets=("$@")
if [ "${#targets[@]}" -eq 0 ]; then
    targets=(spec snapshot fleet_split reference template registry_json headers)
fi

skip() {
    echo "fuzzing skipped: $1"
    if [ "${FUZZ_REQUIRED:-0}" = 1 ]; then exit 2; fi
    exit 0
}
command -v rustup >/dev/null 2>&1 || skip "rustup is not installed (the nightly toolchain is needed)"
rustup run nightly rustc --version >/dev/null 2>&1 \
    || skip "no nightly toolchain (rustup toolchain install nightly)"
cargo +nightly fuzz --version >/dev/null 2>&1 \
    || skip "cargo-fuzz is not installed (cargo install cargo-fuzz --locked)"

# Known false leak reports, each explained in the file.
export LSAN_OPTIONS="suppressions=$PWD/lsan-suppressions.txt:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"

echo "== building the fuzz targets"
cargo +nightly fuzz build -O >/dev/null

failed=()
for t in "${targets[@]}"; do
    # The log stays out of artifacts/: cargo-fuzz takes the newest file there for the failing
    # input and prints it.
    mkdir -p "corpus/$t" "artifacts/$t" logs
    log="logs/$t.log"
    echo "== fuzzing $t for ${seconds}s"
    inputs=("corpus/$t" "seeds/$t")
    if [ -d "regressions/$t" ]; then inputs+=("regressions/$t"); fi
    if cargo +nightly fuzz run -O "$t" "${inputs[@]}" -- \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=1024 -max_len=65536 \
        -print_final_stats=1 >"$log" 2>&1; then
        grep -E '^(#[0-9]+.*(DONE|pulse)|stat::number_of_executed_units|stat::peak_rss_mb)' "$log" \
            | tail -3
    else
        echo "!! $t: libFuzzer found a failing input (log: fuzz/$log)"
        grep -E 'ERROR|panicked|Test unit written|artifact_prefix' "$log" | cut -c1-300 | head -8 || true
        failed+=("$t")
    fi
done
if [ "${#failed[@]}" -gt 0 ]; then
    echo "fuzzing found failing inputs in: ${failed[*]}"
    exit 1
fi
echo "fuzzing: no failing input in ${#targets[@]} targets (${seconds}s each)"
