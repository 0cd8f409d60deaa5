"""The `fractal-governance` command as a Bazel binary (`bazel run //:cli -- --help`).

It lives outside the package on purpose: Python puts a script's own folder first on the import
path, and inside `fractal_governance/` the package's `math`, `statistics` and `io` modules
would then shadow the standard library's.
"""

import sys

from fractal_governance.cli import main

if __name__ == "__main__":
    sys.exit(main())
