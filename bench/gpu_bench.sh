#!/usr/bin/env bash
# The GPU measurements of issue 13 (deliverable 4) in one prepared script, for a session that is lent
# a GPU machine (DEVELOPERS.md, the `device` tool). Its python3 holds a CUDA torch, transformers and
# sentence-transformers; what else the engine needs travels as wheels in .whl/ (see bench/README.md
# "On a GPU" for the one pip download command). Run it from the repository root:
#
#   run(command="bash bench/gpu_bench.sh", carry=[".whl"], timeout_s=560)
#
# It writes one JSON (and a text log) per part under $OUT, which the device tool brings back:
#   flops.json    training FLOP/s against the card's measured bf16 matmul rate (MFU)
#   trainer.json  our trainer against SentenceTransformerTrainer on the GPU (A B, one repetition)
#   largest.json  the largest batch one step fits, uncached and cached (GradCache, mini-batch 1024)
#   compare.txt   the 4-loss comparison of the sample, with its stage times
# Each part has its own time limit, so one slow part cannot take the others' time.
set -uo pipefail
OUT=${OUT:-/tmp/gpu_bench}
mkdir -p "$OUT"
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 TOKENIZERS_PARALLELISM=false PYTHONUNBUFFERED=1
PY=${PYTHON:-python3}
if [ -d .whl ]; then
  $PY -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl || exit 1
  export PYTHONPATH=/tmp/site:$PWD
else
  export PYTHONPATH=$PWD
fi
{ date -u +%FT%TZ; nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader;
  $PY -c 'import torch; print("torch", torch.__version__)'; } | tee "$OUT/device.txt"

timeout 120 $PY bench/bench_flops.py --device cuda --steps 30 --json "$OUT/flops.json" 2>&1 | tee "$OUT/flops.log"
timeout 150 $PY bench/bench_st_trainer.py --device cuda --epochs 3 --repeats 1 --json "$OUT/trainer.json" 2>&1 \
  | tee "$OUT/trainer.log"
timeout 150 $PY bench/bench_cached_memory.py --device cuda --batches 4096 --mini-batch 1024 --largest 262144 \
  --json "$OUT/largest.json" 2>&1 | tee "$OUT/largest.log"
timeout 120 $PY bench/bench_compare.py --device cuda --epochs 1 2>&1 | tee "$OUT/compare.txt"
