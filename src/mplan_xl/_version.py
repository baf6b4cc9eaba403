"""The version of mplan-xl, in this one place: pyproject.toml reads it (``[tool.setuptools.dynamic]``),
``mplan-xl --version`` prints it, every workbook carries it in its properties (``mplan-xl 1.0.0``) and the
self-check of the ``.xlsm`` workbooks compares it with the installed one (see CHANGELOG.md).

>>> __version__.count(".")
2
"""

__version__ = "1.0.0"
