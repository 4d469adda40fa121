#!/usr/bin/env bash

# Copyright 2026 depth_sr_ros developers
# SPDX-License-Identifier: Apache-2.0
#
# Licensed under the Apache License, Version 2.0 (the "License");
# you may not use this file except in compliance with the License.
# You may obtain a copy of the License at
#
#     http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS,
# WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
# See the License for the specific language governing permissions and
# limitations under the License.

# Regenerate every bundled model in models/ from ../shared/data on this CPU.
#
# Recipe (chosen on a validation split *inside* the training captures, never on the held-out
# frames: docs/research/degradation.md): RGB-D-D dev captures split by capture-time
# blocks (15% held out, 4 blocks, never trained on) + the first 18 Middlebury scenes (the last 6
# are kept for benchmarks/quality.py); DSRNet alone (the cross-task scheme measured worse, see
# docs/research/cross_task_ablation.md); every model is an ordinary resumable `train` run
# under runs/default/<name>.
#
#   name       scale  LR recipe (depth_sr_ros.data.degradation.RECIPES)   DSRNet          for
#   x4         4      blind: every sampling kernel + sensor effects        lrres_mid_deep  the default, any sensor
#   x2/x8/x16  2/8/16 blind                                                 lrres_mid_deep  other factors
#   x4_cubic   4      cubic (cv2 INTER_CUBIC, the seed paper's protocol)    lrres_xl        benchmark files, Middlebury
#   x4_point   4      point_sensor: point sampling + sensor effects         lrres_large     decimated / LiDAR-like input
#   x8_cubic   8      cubic                                                 lrres_xl        benchmark files at x8
#   x16_cubic  16     cubic                                                 lrres_quality   benchmark files at x16
# The specialists are offline class (lrres_large, ~5 fps at 160x120 x4 on 1 thread; x4_cubic, x8_cubic lrres_xl; x16:
# lrres_quality) and draw each Middlebury training scene 4x as often as a capture
# (--train-only-weight 4; x4_cubic and x8_cubic 16x); x4_cubic and x8_cubic train at a peak
# learning rate of 2e-3. These choices come from the cubic-LR pilots in
# docs/research/architecture.md and docs/research/data_and_augmentation.md (inner validation,
# incl. inner Middlebury scenes).
#
# x2_smooth, x8_smooth and x4_quality are the previous recipe's models (antialiased
# bicubic + area with noise/holes; this script at commit 21f0765), kept because they still win
# the smooth-sampling rows of the matrix; this script does not retrain or overwrite them.
#
# Re-running after an interruption only does the missing work (each run resumes from its
# checkpoint; finished runs are skipped). JOBS runs go in parallel, one torch thread each.
#
#   bash scripts/train_default_models.sh                 # everything, then install into models/
#   MODELS="x4 x4_cubic" bash scripts/train_default_models.sh
#   CPU_BF16=true bash scripts/train_default_models.sh   # bf16 autocast (CPUs with bf16 instructions)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
DATA=${DATA:-../shared/data}
RUNS=${RUNS:-runs/default}
JOBS=${JOBS:-2}
ARCH=${ARCH:-}                                # nets/registry.py preset for every model (default: per model)
# CPU_BF16=true: bf16 autocast on CPU, 1.3-1.5x samples/s
# (docs/research/training_length_and_precision.md); the bundled models were trained in float32.
CPU_BF16=${CPU_BF16:-false}
MODELS=${MODELS:-"x4 x16 x4_cubic x4_point x8_cubic x16_cubic x8 x2"}

# name -> scale recipe steps crop batch preset train-only-weight peak-learning-rate
spec() {
  case "$1" in
    x4)        echo "4 blind 48000 96 16 lrres_mid_deep 1 0.001" ;;
    x2)        echo "2 blind 24000 64 16 lrres_mid_deep 1 0.001" ;;
    x8)        echo "8 blind 48000 96 16 lrres_mid_deep 1 0.001" ;;
    x16)       echo "16 blind 24000 192 16 lrres_mid_deep 1 0.001" ;;
    x4_cubic)  echo "4 cubic 20000 96 16 lrres_xl 16 0.002" ;;
    x4_point)  echo "4 point_sensor 12000 96 16 lrres_large 4 0.001" ;;
    x8_cubic)  echo "8 cubic 16000 96 16 lrres_xl 16 0.002" ;;
    x16_cubic) echo "16 cubic 6000 192 16 lrres_quality 4 0.001" ;;
    *) echo "train_default_models: unknown model $1" >&2; return 1 ;;
  esac
}

train_one() {
  local name=$1 scale recipe steps crop batch arch weight lr
  read -r scale recipe steps crop batch arch weight lr <<<"$(spec "$name")"
  arch=${ARCH:-$arch}
  local run="$RUNS/$name"
  if [ -f "$run/model/model.json" ] && [ -f "$run/metrics.json" ]; then
    echo "[$name] done already"; return 0
  fi
  mkdir -p "$RUNS"
  echo "[$name] x$scale $recipe, $steps steps of $batch crops ${crop}x$crop, $arch, train-only weight $weight, lr $lr -> $run"
  OMP_WAIT_POLICY=PASSIVE "$PY" -m depth_sr_ros.cli.train --data "$DATA/rgbdd_dev" \
    --train-only "$DATA/middlebury" --hold-out-last 6 --train-only-weight "$weight" --run-dir "$run" --scale "$scale" \
    --max-steps "$steps" --scheme dsr_only --degradation "$recipe" --seed 0 --resume --no-progress \
    --options "{\"preset\": \"$arch\", \"crop\": $crop, \"batch_size\": $batch, \"lr\": $lr,
                \"val_every\": 2000, \"checkpoint_every\": 250, \"threads\": 1, \"cpu_bf16\": $CPU_BF16}" \
    >> "$RUNS/$name.log" 2>&1 || { echo "[$name] FAILED: see $RUNS/$name.log" >&2; return 1; }
  echo "[$name] $(tail -n 2 "$RUNS/$name.log" | head -n 1)"
}
export -f train_one spec
export PY DATA RUNS ARCH CPU_BF16

start=$(date +%s)
for name in $MODELS; do spec "$name" >/dev/null; done      # fail fast on a typo
printf '%s\n' $MODELS | xargs -P "$JOBS" -I{} bash -c 'train_one "$@"' _ {}
for name in $MODELS; do
  "$PY" scripts/bundle_model.py "$RUNS/$name/model" "$name"
done
echo "train_default_models: done in $(( ($(date +%s) - start) / 60 )) min"
