#!/usr/bin/env bash
# Install everything the test suite needs: torch (CPU build 2.13.0 first, so the project's torch
# range is already met), the project with its dev extras (pytest, and the ray and onnx extras that
# the batch, export and ONNX Runtime tests need), and - when run as root on Debian/Ubuntu -
# the system libraries Qt's offscreen platform and the RTSP test server need.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}

debian_packages=(
  # Qt 6 offscreen
  libegl1 libgl1 libglib2.0-0 libfontconfig1 libdbus-1-3 libxkbcommon0
  # GStreamer RTSP server on loopback (tests of RTSP sources and sinks)
  python3-gi gir1.2-gst-rtsp-server-1.0 gir1.2-gstreamer-1.0 gstreamer1.0-rtsp
  gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-libav
)
if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
  missing=()
  for pkg in "${debian_packages[@]}"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  if ((${#missing[@]})); then
    echo "setup-tests: installing Debian packages: ${missing[*]}"
    if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
           --no-install-recommends "${missing[@]}" >/dev/null; }; then
      echo "setup-tests: warning: apt-get failed; the tests that need these packages will skip"
    fi
  fi
else
  echo "setup-tests: not root (or no apt-get): skipping system packages; Qt/RTSP tests may skip"
fi

"$PYTHON" -m pip install -q "torch==2.13.0"
"$PYTHON" -m pip install -q -e ".[dev]"
