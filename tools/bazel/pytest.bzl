"""`pytest_test`: a `py_test` that runs pytest on one test file."""

def pytest_test(name, src, deps = [], data = [], **kwargs):
    """Declares a py_test named `name` that runs pytest on `src`.

    Args:
      name: target name, conventionally the test file's name without `.py`.
      src: the test file.
      deps: libraries the test imports.
      data: files the test reads (fixtures, conftest.py, pyproject.toml for pytest settings).
      **kwargs: passed to py_test (size, tags, timeout, ...).
    """
    native.py_test(
        name = name,
        srcs = [src, "//tools/bazel:pytest_runner.py"],
        main = "//tools/bazel:pytest_runner.py",
        args = ["$(rootpath %s)" % src],
        deps = deps,
        data = data,
        python_version = "PY3",
        srcs_version = "PY3",
        **kwargs
    )
