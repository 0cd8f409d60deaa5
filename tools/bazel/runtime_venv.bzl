"""`runtime_venv`: a virtual environment with the runtime packages only (requirements.txt).

`bazel run //:dashboard` runs on it, so a first run installs what the dashboard needs and not
the development tools of `@pip` (Jupyter, mypy, Playwright, ...), which only tests and lint
need. pip installs from the same pins (and the same local wheel cache, when pip is configured
with one), so it works offline where `@pip` does. The repository offers one file, `python3`:
a script that runs the environment's interpreter.
"""

load("//tools/bazel:venv.bzl", "VENV_ATTRS", "VENV_ENVIRON", "create_venv")

def _runtime_venv_impl(rctx):
    interpreter = create_venv(rctx, "the runtime packages")
    rctx.file("python3", "#!/bin/sh\nexec '%s' \"$@\"\n" % interpreter, executable = True)
    rctx.file("BUILD.bazel", 'exports_files(["python3"], visibility = ["//visibility:public"])\n')

runtime_venv = repository_rule(
    implementation = _runtime_venv_impl,
    attrs = VENV_ATTRS,
    environ = VENV_ENVIRON,
    doc = "Builds a virtual environment of the runtime packages; exposes `python3`.",
)
