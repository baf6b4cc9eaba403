"""Safe reading of any returned file: the zip and XML readers with their limits, the sheet scan, shared formulas,
number formats, locating the plan in a workbook (``plan_reader``), the input folders, and the package copy that
patches cells in place.

May import: ``core``.
"""
