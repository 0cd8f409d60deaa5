"""``python -m fractal_governance``: the ``fractal-governance`` command line."""

from __future__ import annotations

import sys

from fractal_governance.cli import main

if __name__ == "__main__":
    sys.exit(main())
