"""neiqin — 内勤台账: offline ledgers for the front-desk clerk.

Layering: ``neiqin.models`` and ``neiqin.reports`` never import Qt; ``neiqin.ui`` holds all widgets.
"""

__version__ = "0.1.0"
APP_NAME = "neiqin"
APP_TITLE = "内勤台账"
