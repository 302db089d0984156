"""Printing from the window: the print preview and its one-press 打印 (preview.py), 标签打印 (label_dialog.py) and
打印信封 (envelope_dialog.py). Importing this package imports none of its modules."""
