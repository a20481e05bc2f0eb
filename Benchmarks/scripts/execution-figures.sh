#!/bin/sh
# Regenerates docs/img/execution-*.svg and docs/execution-results.json with the CLI (release build).
# Usage: Benchmarks/scripts/execution-figures.sh [path/to/caldera-binary]   (shared traces: $CALDERA_SHARED or ../shared)
set -eu
cd "$(dirname "$0")/../.."
BIN=${1:-}
if [ -z "$BIN" ]; then swift build -c release --product caldera >/dev/null; BIN=.build/release/caldera; fi
SHARED=${CALDERA_SHARED:-../shared}
T=$SHARED/traces
mkdir -p docs/img
out=docs/execution-results.json
printf '{\n' > $out
run() { # name, args...
  name=$1; shift
  printf '"%s": ' "$name" >> $out
  "$BIN" execution simulate "$@" --policy all --seed 1 --json --plot "docs/img/execution-$name.svg" >> $out
}
run settlement-burst --scenario settlement-burst;                                         printf ',\n' >> $out
run settlement-spike-20x --scenario settlement-spike-20x;                                 printf ',\n' >> $out
run ethereum-blocks --trace "$T/ethereum-mainnet-blocks-2022-09/blocks.csv";              printf ',\n' >> $out
run azure-conv --trace "$T/azure-llm-inference-2023/AzureLLMInferenceTrace_conv.csv";     printf ',\n' >> $out
run azure-code --trace "$T/azure-llm-inference-2023/AzureLLMInferenceTrace_code.csv"
printf '}\n' >> $out
echo "wrote docs/img/execution-*.svg and $out"
