"""A repository rule that builds a Python virtual environment from pinned requirements files.

It stands in for rules_python's `pip_parse`, which cannot be downloaded here: the generated
repository registers the environment's interpreter as the Python toolchain and offers one
`py_library` per pinned package, so BUILD files can declare `requirement("pandas")`.
Because the requirements files are label attributes, editing one re-runs the rule.
"""

load("//tools/bazel:venv.bzl", "VENV_ATTRS", "VENV_ENVIRON", "create_venv")

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
    pins = {}
    for label in rctx.attr.requirements:
        pins.update(_parse_requirements(rctx.read(rctx.path(label))))
    interpreter = create_venv(rctx, "%d pinned packages" % len(pins))
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
    attrs = VENV_ATTRS,
    environ = VENV_ENVIRON,
    doc = "Builds a virtual environment from pinned requirements and exposes it to Bazel.",
)
