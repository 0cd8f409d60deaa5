"""`runtime_venv`: a virtual environment with the runtime packages only (requirements.txt).

`bazel run //:dashboard` runs on it, so a first run installs what the dashboard needs and not
the development tools of `@pip` (Jupyter, mypy, Playwright, ...), which only tests and lint
need. pip installs from the same pins (and the same local wheel cache, when pip is configured
with one), so it works offline where `@pip` does. The repository offers one file, `python3`:
a script that runs the environment's interpreter.
"""

def _runtime_venv_impl(rctx):
    python = rctx.os.environ.get("FRACTAL_GOVERNANCE_PYTHON", "") or rctx.attr.python
    python_path = rctx.which(python) if "/" not in python else rctx.path(python)
    if python_path == None:
        fail("%s was not found on PATH: install Python 3.11 (Debian: apt-get install python3 python3-venv)" % python)

    rctx.report_progress("Creating the runtime virtual environment")
    result = rctx.execute([python_path, "-m", "venv", "--clear", "venv"], quiet = False)
    if result.return_code != 0:
        fail("python -m venv failed (Debian: apt-get install python3-venv):\n" + result.stderr)

    args = ["venv/bin/python", "-m", "pip", "install", "--disable-pip-version-check", "--no-input"]
    for label in rctx.attr.requirements:
        args += ["-r", str(rctx.path(label))]
    rctx.report_progress("Installing the runtime packages with pip")
    result = rctx.execute(args, timeout = rctx.attr.timeout, quiet = False)
    if result.return_code != 0:
        fail("pip install failed:\n" + result.stderr)

    interpreter = str(rctx.path("venv/bin/python3"))
    rctx.file("python3", "#!/bin/sh\nexec '%s' \"$@\"\n" % interpreter, executable = True)
    rctx.file("BUILD.bazel", 'exports_files(["python3"], visibility = ["//visibility:public"])\n')

runtime_venv = repository_rule(
    implementation = _runtime_venv_impl,
    attrs = {
        "python": attr.string(
            default = "python3",
            doc = "Interpreter used to create the environment (a name on PATH or a path).",
        ),
        "requirements": attr.label_list(
            allow_files = True,
            mandatory = True,
            doc = "Pinned requirements files installed into the environment.",
        ),
        "timeout": attr.int(default = 3600, doc = "Seconds allowed for pip install."),
    },
    environ = ["FRACTAL_GOVERNANCE_PYTHON"],
    doc = "Builds a virtual environment of the runtime packages; exposes `python3`.",
)
