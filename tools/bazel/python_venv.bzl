"""A repository rule that builds a Python virtual environment from pinned requirements files.

It stands in for rules_python's `pip_parse`, which cannot be downloaded here: the generated
repository registers the environment's interpreter as the Python toolchain and offers one
`py_library` per pinned package, so BUILD files can declare `requirement("pandas")`.
Because the requirements files are label attributes, editing one re-runs the rule.
"""

_BUILD_HEADER = """\
load("@bazel_tools//tools/python:toolchain.bzl", "py_runtime_pair")

package(default_visibility = ["//visibility:public"])

py_runtime(
    name = "python3_runtime",
    interpreter_path = "{interpreter}",
    python_version = "PY3",
    stub_shebang = "#!{interpreter}",
)

py_runtime_pair(
    name = "runtime_pair",
    py3_runtime = ":python3_runtime",
)

toolchain(
    name = "python_toolchain",
    toolchain = ":runtime_pair",
    toolchain_type = "@bazel_tools//tools/python:toolchain_type",
)

exports_files(["requirements.bzl"])
"""

_PACKAGE_BUILD = """\
# `{name}=={version}`, installed in the environment's site-packages. The target carries no files:
# the toolchain's interpreter already sees the package; the label records the dependency.
py_library(
    name = "{target}",
    visibility = ["//visibility:public"],
)
"""

_REQUIREMENTS_BZL = """\
\"\"\"Labels of the pinned Python packages, generated from the requirements files.\"\"\"

PACKAGES = {packages}

def requirement(name):
    \"\"\"Returns the label of the pinned package `name` (any spelling of the name).\"\"\"
    key = name.lower().replace("-", "_").replace(".", "_")
    if key not in PACKAGES:
        fail("'%s' is not pinned in requirements.txt or requirements-dev.txt" % name)
    return "@{repo}//%s" % key
"""

def _normalize(name):
    return name.strip().lower().replace("-", "_").replace(".", "_")

def _parse_requirements(text):
    """Returns {normalized name: (name, version)} from a `pipenv requirements` file."""
    pins = {}
    for raw in text.splitlines():
        line = raw.split("#")[0].strip()
        if not line or line.startswith("-"):
            continue
        spec = line.split(";")[0].strip()
        if "==" not in spec:
            fail("requirement '%s' is not pinned with ==" % line)
        name, version = spec.split("==", 1)
        name = name.split("[")[0].strip()
        pins[_normalize(name)] = (name, version.strip())
    return pins

def _python_venv_impl(rctx):
    python = rctx.os.environ.get("FRACTAL_GOVERNANCE_PYTHON", "") or rctx.attr.python
    python_path = rctx.which(python) if "/" not in python else rctx.path(python)
    if python_path == None:
        fail("%s was not found on PATH: install Python 3.11 (Debian: apt-get install python3 python3-venv)" % python)

    rctx.report_progress("Creating the virtual environment")
    result = rctx.execute([python_path, "-m", "venv", "--clear", "venv"], quiet = False)
    if result.return_code != 0:
        fail("python -m venv failed (Debian: apt-get install python3-venv):\n" + result.stderr)

    pins = {}
    args = ["venv/bin/python", "-m", "pip", "install", "--disable-pip-version-check", "--no-input"]
    for label in rctx.attr.requirements:
        path = rctx.path(label)
        pins.update(_parse_requirements(rctx.read(path)))
        args += ["-r", str(path)]
    rctx.report_progress("Installing %d pinned packages with pip" % len(pins))
    result = rctx.execute(args, timeout = rctx.attr.timeout, quiet = False)
    if result.return_code != 0:
        fail("pip install failed:\n" + result.stderr)

    interpreter = str(rctx.path("venv/bin/python3"))
    rctx.file("BUILD.bazel", _BUILD_HEADER.format(interpreter = interpreter))
    for key, (name, version) in pins.items():
        rctx.file(key + "/BUILD.bazel", _PACKAGE_BUILD.format(
            name = name,
            target = key,
            version = version,
        ))
    rctx.file("requirements.bzl", _REQUIREMENTS_BZL.format(
        packages = repr(sorted(pins.keys())),
        repo = rctx.attr.name,
    ))

python_venv = repository_rule(
    implementation = _python_venv_impl,
    attrs = {
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
    },
    environ = ["FRACTAL_GOVERNANCE_PYTHON"],
    doc = "Builds a virtual environment from pinned requirements and exposes it to Bazel.",
)
