"""The baselines the benchmarks measure our figures beside, written once."""

from __future__ import annotations

import warnings
from pathlib import Path


def read_openpyxl(path: str | Path) -> None:
    """What any openpyxl-based validator starts from: every sheet read twice, formulas then cached values."""
    import openpyxl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # openpyxl warns of every extension it drops
        for data_only in (False, True):
            wb = openpyxl.load_workbook(path, data_only=data_only)
            for ws in wb.worksheets:
                for _ in ws.iter_rows(values_only=True):
                    pass
            wb.close()
