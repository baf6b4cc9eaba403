"""The charts of a portfolio workbook as a controller reads them: each chart's title, and for each of its series
the rows its values come from with the currency of each row (the table's *Devise* / *Currency* column)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl

_RANGE = re.compile(r"^'?(?P<sheet>.+?)'?!\$(?P<col>[A-Z]+)\$(?P<first>\d+)(?::\$[A-Z]+\$(?P<last>\d+))?$")


def chart_series(path: Path) -> list[dict]:
    """One entry per chart of the workbook *path*: ``{"title", "sheet", "series": [{currency of each value's
    row}, ...]}``; a sheet without a currency column gives empty sets (percentages and counts)."""
    wb = openpyxl.load_workbook(path)
    out = []
    with zipfile.ZipFile(path) as z:
        for name in sorted(n for n in z.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n)):
            xml = z.read(name).decode("utf-8")
            title = "".join(re.findall(r"<a:t>([^<]*)</a:t>", xml.split("<c:plotArea>")[0]))
            series, sheet = [], ""
            for values in re.findall(r"<c:val>.*?<c:f>([^<]*)</c:f>", xml, re.S):
                m = _RANGE.match(values.replace("&apos;", "'"))
                assert m, values
                sheet = m["sheet"].replace("''", "'")
                ws = wb[sheet]
                header = ws[int(m["first"]) - 1]   # the table's header row, right above its first record
                where = [c.column for c in header if c.value in ("Devise", "Currency")]
                series.append({ws.cell(r, where[0]).value for r in range(int(m["first"]), int(m["last"] or m["first"]) + 1)}
                              if where else set())
            out.append({"title": title, "sheet": sheet, "series": series})
    return out


__all__ = ["chart_series"]
