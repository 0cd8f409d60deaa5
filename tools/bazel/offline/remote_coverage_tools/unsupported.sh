#!/usr/bin/env bash
echo "bazel coverage is not supported offline: run pytest with coverage instead" >&2
exit 1
