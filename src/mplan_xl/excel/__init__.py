"""The Excel runtimes: the xlwings functions (``udfs``), the VBA modules and their project (``macros``,
``vba_sources``, ``vba``), and LibreOffice driven headless (``libreoffice``).

Sits beside ``workbook`` (the workbook writer embeds its macros). May import: ``core``, ``read``.
"""
