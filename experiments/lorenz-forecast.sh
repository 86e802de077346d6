#!/usr/bin/env bash
# Closed-loop spectra of forecasters trained on Lorenz-63 (experiments/README.md, "Forecasters of
# Lorenz-63"): GRU and LSTM trained by BPTT, an echo-state network fitted by ridge regression,
# then every model's closed-loop spectrum per time unit against Lorenz-63's own, its Kaplan–Yorke
# dimension and its forecast horizon. Writes runs/lorenz/* and experiments/lorenz-forecast.{results.json,png}.
# Run time on the 2-core machine: about 15–25 min per BPTT network (150 epochs), 1 min per ESN,
# 5 min for the evaluation.
set -euo pipefail
cd "$(dirname "$0")/.."
cli() { node --import tsx src/cli/main.ts "$@"; }
mkdir -p runs/lorenz
spectrum=(--spectrum-every 10 --spectrum-batch 4 --spectrum-steps 5000 --spectrum-transient 500 --k 4)
bptt() { # cell hidden noise seed
  local out="runs/lorenz/$1-$2-noise$3-seed$4"
  if [ -f "$out/config.json" ]; then cli train --out "$out" --resume; else  # a killed run continues
    cli train --task lorenz --cell "$1" --hidden "$2" --epochs 150 --batch 32 --lr 2e-3 \
      --schedule exp:0.98 --task-opt noise="$3" --seed "$4" "${spectrum[@]}" --out "$out"
  fi
}
bptt gru 64 0.003 0
bptt gru 64 0.01 1
bptt gru 128 0.01 1
bptt lstm 64 0.01 1
bptt lstm 64 0.01 2
esn() { # out, then reservoirpy's settings
  local out="runs/lorenz/$1"; shift
  [ -f "$out/model.safetensors" ] || cli train --task lorenz --cell esn --esn "$@" \
    --spectrum-batch 4 --spectrum-steps 5000 --spectrum-transient 500 --k 5 --out "$out"
}
esn esn-300-sr0.9 units=300 sr=0.9 lr=1 input_scaling=0.1 ridge=1e-5
esn esn-500-sr0.75 units=500 sr=0.75 lr=1 input_scaling=0.2 ridge=1e-7
node --import tsx scripts/lorenz-experiment.ts --out experiments/lorenz-forecast runs/lorenz/*-seed*/ runs/lorenz/esn-*/
