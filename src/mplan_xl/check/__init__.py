"""Checking returned plans: the checks on a located plan, the validator of files and folders, the report and the
annotated copies.

May import: ``core``, ``read``, ``excel``, ``workbook``.
"""

import sys
import types
from typing import Any


class _CheckPackage(types.ModuleType):
    """This subpackage, callable as the public function ``mplan_xl.check`` it shares its name with.

    ``mplan_xl.check(["returned/"])`` keeps calling :func:`mplan_xl.check.validator.check` once the subpackage is
    imported (Python then binds the name ``check`` of ``mplan_xl`` to the subpackage).
    """

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from .validator import check

        return check(*args, **kwargs)

    @property
    def __wrapped__(self) -> Any:  # inspect.signature(mplan_xl.check) is the function's
        from .validator import check

        return check


sys.modules[__name__].__class__ = _CheckPackage
