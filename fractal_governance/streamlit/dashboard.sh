#!/usr/bin/env bash
# `bazel run //:dashboard [-- --port P] [-- DATA]`: the dashboard on the runtime-only virtual
# environment (@pip_runtime, from requirements.txt), so that a first run does not wait for the
# development tools. Relative paths mean what they mean where `bazel run` was started.
set -euo pipefail
runfiles="${RUNFILES_DIR:-$0.runfiles}"
runfiles="$(cd "$runfiles" && pwd)"
export PYTHONPATH="$runfiles/fractal_governance_repo${PYTHONPATH:+:$PYTHONPATH}"
python="$runfiles/pip_runtime/python3"
if [ -n "${BUILD_WORKING_DIRECTORY:-}" ]; then
  cd "$BUILD_WORKING_DIRECTORY"
fi
exec "$python" -m fractal_governance.streamlit.launcher "$@"
