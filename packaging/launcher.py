"""Entry point of the frozen app: PyInstaller runs this file as ``__main__``.

It does what the ``advisor-gui`` script of a pip install does: call ``ui.app:main``.
"""

import sys

from ui.app import main

if __name__ == "__main__":
    sys.exit(main())
