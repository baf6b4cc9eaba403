"""The domain core imports with no Excel library installed (so it can be embedded anywhere)."""

from __future__ import annotations

import subprocess
import sys

CORE = ["core.vocabulary", "core.schema", "core.plan", "core.numbers", "core.metrics", "core.smart", "core.formulas",
        "core.computed", "workbook.guide_status", "core.rules",
        "core.versions", "core.errors"]
EXCEL_LIBRARIES = ["xlsxwriter", "openpyxl", "python_calamine", "xlwings", "pandas", "defusedxml", "olefile"]


def test_core_modules_import_without_excel_libraries():
    script = (
        "import sys\n"
        f"for name in {EXCEL_LIBRARIES!r}: sys.modules[name] = None  # any import of them now fails\n"
        f"for module in {CORE!r}: __import__('mplan_xl.' + module)\n"
        "from mplan_xl.core.metrics import roi; assert roi(3, 2) == 0.5\n"
        "print('ok')\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.stdout.strip() == "ok", result.stderr


def test_public_api_is_there_on_first_use():
    import mplan_xl

    assert callable(mplan_xl.new_workbook) and callable(mplan_xl.check) and mplan_xl.Report.__name__ == "Report"
