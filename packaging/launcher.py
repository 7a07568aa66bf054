"""Entry point of the frozen app: PyInstaller runs this file as ``__main__``.

It does what the ``advisor-gui`` script of a pip install does: call ``ui.app:main``. Given
``catalog ...`` it runs that ``advisor catalog`` command instead (e.g. ``catalog update``), so an
installed app can refresh its prices from a script, and the smoke test can check that it does.
"""

import sys

if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "catalog":
        from advisor.cli import main as cli_main

        sys.exit(cli_main(sys.argv[1:]))
    from ui.app import main

    sys.exit(main())
