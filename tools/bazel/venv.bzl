"""What the two virtual-environment repository rules share: their attributes and the steps
that create an environment and pip-install pinned requirements files into it."""

VENV_ATTRS = {
    "python": attr.string(
        default = "python3",
        doc = "Interpreter used to create the environment (a name on PATH or a path).",
    ),
    "requirements": attr.label_list(
        allow_files = True,
        mandatory = True,
        doc = "Pinned requirements files (`name==version` lines) installed into the environment.",
    ),
    "timeout": attr.int(default = 3600, doc = "Seconds allowed for pip install."),
}

VENV_ENVIRON = ["FRACTAL_GOVERNANCE_PYTHON"]

def create_venv(rctx, what):
    """Creates `venv/` in the repository and pip-installs `rctx.attr.requirements` into it.

    Args:
      rctx: the repository context.
      what: words for the progress messages, e.g. "the runtime packages".

    Returns:
      The absolute path of the environment's `python3`, as a string.
    """
    python = rctx.os.environ.get("FRACTAL_GOVERNANCE_PYTHON", "") or rctx.attr.python
    python_path = rctx.which(python) if "/" not in python else rctx.path(python)
    if python_path == None:
        fail("%s was not found on PATH: install Python 3.11 (Debian: apt-get install python3 python3-venv)" % python)

    rctx.report_progress("Creating the virtual environment for %s" % what)
    result = rctx.execute([python_path, "-m", "venv", "--clear", "venv"], quiet = False)
    if result.return_code != 0:
        fail("python -m venv failed (Debian: apt-get install python3-venv):\n" + result.stderr)

    args = ["venv/bin/python", "-m", "pip", "install", "--disable-pip-version-check", "--no-input"]
    for label in rctx.attr.requirements:
        args += ["-r", str(rctx.path(label))]
    rctx.report_progress("Installing %s with pip" % what)
    result = rctx.execute(args, timeout = rctx.attr.timeout, quiet = False)
    if result.return_code != 0:
        fail("pip install failed:\n" + result.stderr)
    return str(rctx.path("venv/bin/python3"))
