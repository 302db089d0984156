"""Entry point of the frozen app (PyInstaller, see build.spec): the same as ``python -m neiqin``.

A launcher outside the package, so PyInstaller does not put neiqin/ itself on the import path (where
``neiqin/logs.py`` or ``neiqin/errors.py`` could shadow a top-level module of the same name).
"""

from neiqin.cli import main

raise SystemExit(main())
