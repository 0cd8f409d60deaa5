"""Runs pytest on the test files Bazel names, so `bazel test` and plain `pytest` run the same tests.

Each `py_test` made by `pytest_test` passes its test file as an argument; results go to the
JUnit file Bazel asks for, and nothing is written into the read-only source tree.
"""

import os
import sys

import pytest


def main() -> int:
    args = ["-p", "no:cacheprovider", "-q", *sys.argv[1:]]
    xml = os.environ.get("XML_OUTPUT_FILE")
    if xml:
        args.append(f"--junitxml={xml}")
    return int(pytest.main(args))


if __name__ == "__main__":
    sys.exit(main())
