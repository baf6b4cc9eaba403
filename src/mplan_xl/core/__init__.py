"""The domain without any file format: the schema of the plan (its sheets, tables, columns, metrics), the metrics
and SMART checks, numbers and dates, the French/English vocabulary, the rules and errors, the template versions,
and the formulas as plain strings.

May import: the standard library only (and other ``core`` modules). No Excel library, nothing from another
subpackage (tests/test_core_imports.py checks both).
"""
