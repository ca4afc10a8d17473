#!/usr/bin/env bash
# The install a user does, as the README's quick start says: a non-editable `pip install .` into
# a fresh virtual environment (it sees the system's packages, so the torch that
# scripts/setup-tests.sh installed is not downloaded again), then, outside the checkout,
# `llie-video sample` and a short job with the default and with every model that ships weights.
# Fails when the installed package lacks its weights or configs, or any model cannot run.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
checkout=$(pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$PYTHON" -m venv --system-site-packages "$work/venv"
bin="$work/venv/bin"
(cd "$checkout" && "$bin/pip" install -q "torch==2.13.0" .)  # the README's first line
echo "smoke-install: installed in $SECONDS s"
cd "$work"
# the wheel's copy runs, not this checkout nor an editable install of it
"$bin/python" - <<'PY'
import sys
import llie_video
from llie_video.resources import configs_dir, weights_dir

where = llie_video.__file__
if "/venv/" not in where:
    sys.exit(f"smoke-install: imported {where}, not the installed wheel")
for folder in (weights_dir(), configs_dir()):
    if not str(folder).endswith(("llie_video/_weights", "llie_video/_configs")):
        sys.exit(f"smoke-install: {folder} is not inside the installed package")
PY
"$bin/llie-video" sample dark.mp4 --seconds 1 --size 320x180
"$bin/llie-video" dark.mp4 bright.mp4 -q  # the first run compiles the fused kernel
echo "smoke-install: sample and the default model's job done at $SECONDS s"
models=$("$bin/llie-video" models | awk '/shipped weights/ && !/no shipped weights/ {print $1}')
for model in $models; do
  "$bin/llie-video" dark.mp4 "bright-$model.mp4" --model "$model" -q
done
echo "smoke-install: a job with each model done at $SECONDS s"
"$bin/python" - dark.mp4 bright.mp4 bright-*.mp4 <<'PY'
import sys
import av
import numpy as np

def frames(path):
    with av.open(path) as container:
        return [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]

source, *outputs = sys.argv[1:]
dark = frames(source)
if len(outputs) < 7:  # the default and six models
    sys.exit(f"smoke-install: only {len(outputs)} outputs")
for path in outputs:
    bright = frames(path)
    if len(bright) != len(dark) or np.mean(bright) < np.mean(dark) + 30:
        sys.exit(f"smoke-install: {path}: {len(bright)} frames of mean {np.mean(bright):.0f}, "
                 f"input {len(dark)} of mean {np.mean(dark):.0f}")
    print(f"smoke-install: {path}: {len(bright)} frames, mean luma {np.mean(dark):.0f} -> "
          f"{np.mean(bright):.0f}")
PY
