"""Compatibility name of :mod:`mplan_xl.excel.udfs`, the module the workbooks' VBA calls.

Every workbook sent to teams calls ``XLPy.CallUDF("mplan_xl.udfs", ...)`` and names ``mplan_xl.udfs`` in its
``_xlwings.conf`` sheet; that VBA is fingerprinted by the template releases (:mod:`mplan_xl.core.versions`), so
the name stays: this module gives xlwings the very functions of :mod:`mplan_xl.excel.udfs`.
"""

from .excel.udfs import *  # noqa: F401,F403
