"""The commands of the yearly cycle: rollover, upgrade, actuals (and the FEC they read), diff.

May import: ``core``, ``read``, ``excel``, ``workbook``, ``check``.
"""
