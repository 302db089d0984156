"""设置: the settings dialog's pages each feature registers (settings_pages.py), and the pages of 编号 (numbering),
工作日历 (workdays, with its editor dialog) and 打印字体 (fonts). Importing this package imports none of its modules."""
