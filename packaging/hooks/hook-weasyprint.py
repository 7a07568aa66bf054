"""PyInstaller hook for WeasyPrint, replacing pyinstaller-hooks-contrib's.

That hook looks for Pango & co. with ctypes.util.find_library and gives up on some systems
(e.g. when a static libfontconfig.a is installed). The spec collects those native libraries
itself (see WEASYPRINT_LIBS in llm-sourcing-advisor.spec), so here only the package data
(the user-agent stylesheets) is collected.
"""

from PyInstaller.utils.hooks import collect_data_files

datas = collect_data_files("weasyprint")
