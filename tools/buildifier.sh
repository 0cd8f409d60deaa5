#!/usr/bin/env bash
# Lints and format-checks every Bazel file with buildifier (npm's @bazel/buildifier: `npm ci`).
# Pass -mode=fix to reformat instead of checking.
#
# Bazel 4 offline has no rules_python, rules_cc or rules_java to load rules from: the native
# rules are the point here, so the warnings that ask for those loads are turned off.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

buildifier=node_modules/.bin/buildifier
if [ ! -x "$buildifier" ]; then
  echo "tools/buildifier.sh: $buildifier is missing: run 'npm ci' first" >&2
  exit 2
fi
native_rules="py sh-binary cc-binary cc-library cc-test cc-import cc-proto cc-toolchain
  cc-toolchain-suite cc-objc-library cc-objc-import java-binary java-import java-library
  java-plugin java-proto java-runtime java-test java-toolchain"
# shellcheck disable=SC2086 # word splitting of the list is intended
warnings=$(printf -- '-native-%s,' $native_rules)
git ls-files -z -- 'BUILD' '*/BUILD' 'BUILD.bazel' '*/BUILD.bazel' 'WORKSPACE' '*/WORKSPACE' '*.bzl' \
  | xargs -0 "$buildifier" -lint=warn -mode=check "-warnings=${warnings%,}" "$@"
