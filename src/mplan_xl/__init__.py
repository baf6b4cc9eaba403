"""mplan-xl: the yearly operational marketing plan as an Excel workbook with Python behind it."""

__version__ = "0.1.0"
