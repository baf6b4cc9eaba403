"""Many plans at once: ``consolidate`` into a database (DuckDB or PostgreSQL), ``approve``, and the portfolio
workbook.

May import: ``core``, ``read``, ``excel``, ``workbook``, ``check``, ``year``.
"""
