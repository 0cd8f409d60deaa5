"""Repository rules for the Python toolchain and the pinned packages' labels.

They stand in for rules_python's `pip_parse`, which cannot be downloaded here:

* `python_requirements` (`@pip`) offers one `py_library` per pinned package, so BUILD files
  can declare `requirement("pandas")`, and the Python toolchain whose interpreter is the
  environment's. It installs nothing: loading a BUILD file that names a package does not
  build the environment.
* `python_environment` (`@pip_venv`) builds the virtual environment with every pinned
  package (runtime and development). Only targets that run on the toolchain (py_binary,
  py_test) fetch it, so `bazel run //:dashboard`, which runs on the runtime-only
  `@pip_runtime`, does not wait for the development tools.

Because the requirements files are label attributes, editing one re-runs the rules.
"""

load("//tools/bazel:venv.bzl", "VENV_ATTRS", "VENV_ENVIRON", "create_venv")

_BUILD_HEADER = """\
load("@bazel_tools//tools/python:toolchain.bzl", "py_runtime_pair")

package(default_visibility = ["//visibility:public"])

# The interpreter is a label: resolving the toolchain (for a py_binary or py_test) fetches
# {environment}, not loading this package.
py_runtime(
    name = "python3_runtime",
    interpreter = "{environment}//:python3",
    python_version = "PY3",
    # the launcher Bazel writes for each py_binary and py_test runs on the machine's python3
    # (Bazel 4's default names `python`, which Debian does not have) and starts the
    # interpreter above
    stub_shebang = "#!/usr/bin/env python3",
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

def _python_requirements_impl(rctx):
    pins = {}
    for label in rctx.attr.requirements:
        pins.update(_parse_requirements(rctx.read(rctx.path(label))))
    rctx.file("BUILD.bazel", _BUILD_HEADER.format(environment = rctx.attr.environment))
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

python_requirements = repository_rule(
    implementation = _python_requirements_impl,
    attrs = {
        "environment": attr.string(
            mandatory = True,
            doc = "The repository (`@name`) whose `python3` is the toolchain's interpreter.",
        ),
        "requirements": VENV_ATTRS["requirements"],
    },
    doc = "Labels of pinned packages and a Python toolchain on another repository's venv.",
)

def _python_environment_impl(rctx):
    interpreter = create_venv(rctx, "the pinned packages (runtime and development)")
    rctx.file("python3", "#!/bin/sh\nexec '%s' \"$@\"\n" % interpreter, executable = True)
    rctx.file("BUILD.bazel", 'exports_files(["python3"], visibility = ["//visibility:public"])\n')

python_environment = repository_rule(
    implementation = _python_environment_impl,
    attrs = VENV_ATTRS,
    environ = VENV_ENVIRON,
    doc = "Builds a virtual environment from pinned requirements; exposes `python3`.",
)
