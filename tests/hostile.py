"""Workbooks to read, good and bad, built inside the test run (nothing is committed).

* :func:`plan_workbook` writes, with XlsxWriter, a workbook shaped like a
  filled marketing plan: the plan's sheets, Excel Tables with calculated
  columns (about a quarter of the cells are formulas), dates, defined names,
  custom properties, a hidden and a very hidden sheet, a chart. It is the
  well-formed baseline of the reader tests and of the reading benchmark, and
  the raw material some hostile files are cut from.
* :func:`write_zip` and :func:`compound_file` are minimal writers of the two
  Office containers (ZIP and OLE compound file) that let a test say exactly
  what is in the file, lies included (declared sizes, raw deflate streams).
* :func:`build_corpus` writes the hostile corpus: one file per way a returned
  workbook can be unreadable, with the error code the reader must answer.

Example:
    >>> corpus = build_corpus(tmp_path)                       # doctest: +SKIP
    >>> corpus["zip-bomb"].code                               # doctest: +SKIP
    'oversized-workbook'
"""

from __future__ import annotations

import datetime as dt
import io
import os
import random
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

import xlsxwriter

# --------------------------------------------------------------------------------------------------
# A plan-like workbook

YEAR = 2027
CHANNELS = ["Réseaux sociaux", "E-mailing", "Presse écrite", "Site web", "Événements / salons", "Affichage"]
ITEMS = ["Achat d'espace", "Création / agence", "Impression", "Publicité en ligne", "Événementiel", "Contenus"]
STATUSES = ["Prévue", "En cours", "Terminée", "Reportée"]


def plan_workbook(path: str | os.PathLike, *, actions: int = 30, budget_lines: int = 45, objectives: int = 12,
                  kpis: int = 15, review_lines: int = 20, audit_lines: int = 40, vba: bytes | None = None) -> Path:
    """Write a filled, plan-shaped workbook at *path* and return the path.

    Tables (name: first cell): tblAudit (Audit!A4), tblBilan (Bilan N-1!A4),
    tblObjectifs (Objectifs!A4), tblActions (Actions!A4), tblBudget
    (Budget!A4), tblKPI (KPI!A4). Identity on Accueil!C5:C9 with the defined
    names ``mplan_company``, ``mplan_year``, ``mplan_author``,
    ``mplan_currency``, ``mplan_envelope``. With *vba* (the bytes of a
    ``vbaProject.bin``), the workbook is macro-enabled: name it ``.xlsm``.
    """
    path = Path(path)
    rnd = random.Random(7)
    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False,
                                         "strings_to_urls": False})
    date = wb.add_format({"num_format": "dd/mm/yyyy"})
    money = wb.add_format({"num_format": "#,##0.00 €"})
    pct = wb.add_format({"num_format": "0.0%"})
    wb.set_custom_property("mplan_template_id", "mplan-xl")
    wb.set_custom_property("mplan_template_version", "1.0")
    wb.set_custom_property("mplan_lang", "fr")
    wb.set_properties({"title": "Plan marketing opérationnel", "author": "Atelier Lumen"})

    home = wb.add_worksheet("Accueil")
    home.write("B2", "Plan marketing opérationnel")
    identity = [("Entreprise", "Atelier Lumen"), ("Année", YEAR), ("Auteur", "Camille Martin"),
                ("Devise", "EUR"), ("Enveloppe", 120000)]
    names = ["mplan_company", "mplan_year", "mplan_author", "mplan_currency", "mplan_envelope"]
    for i, ((label, value), name) in enumerate(zip(identity, names)):
        home.write(4 + i, 1, label)
        home.write(4 + i, 2, value)
        wb.define_name(name, f"='Accueil'!$C${5 + i}")
    home.write("B12", "Budget prévu")
    home.write_formula("C12", "=SUM(tblBudget[Prévu])", money, 0)
    home.write("B13", "Reste sur l'enveloppe")
    home.write_formula("C13", "=mplan_envelope-C12", money, 0)
    home.write("B14", "Actions")
    home.write_formula("C14", "=ROWS(tblActions[ID])", None, actions)

    def table(ws, name, headers, rows, formulas, formats=None):
        columns = []
        for h in headers:
            col = {"header": h}
            if h in formulas:
                col["formula"] = formulas[h]
            if formats and h in formats:
                col["format"] = formats[h]
            columns.append(col)
        ws.add_table(3, 0, 3 + max(len(rows), 1), len(headers) - 1,
                     {"name": name, "columns": columns, "data": rows, "style": "Table Style Medium 2"})
        ws.freeze_panes(4, 0)

    audit = wb.add_worksheet("Audit")
    audit.write("A1", "Audit : SWOT et PESTEL")
    table(audit, "tblAudit", ["ID", "Cadre", "Rubrique", "Constat", "Source", "Impact", "Poids", "Tendance",
                              "Commentaire", "Date"],
          [[f"AU{i:03d}", rnd.choice(["SWOT", "PESTEL"]), rnd.choice(["Forces", "Faiblesses", "Opportunités"]),
            f"Constat numéro {i} sur le marché", "Étude 2026", rnd.randint(1, 5), rnd.randint(1, 3),
            rnd.choice(["hausse", "baisse", "stable"]), "", dt.date(YEAR - 1, 1 + i % 12, 1 + i % 27)]
           for i in range(audit_lines)], {}, {"Date": date})

    review = wb.add_worksheet("Bilan N-1")
    table(review, "tblBilan", ["ID", "Action", "Canal", "Budget", "Dépense", "Objectif", "Résultat", "Écart",
                               "Taux", "Décision", "Enseignements", "Correctifs"],
          [[f"B{i:03d}", f"Action {i} de l'an dernier", rnd.choice(CHANNELS), 1000.0 * rnd.randint(1, 20),
            900.0 * rnd.randint(1, 20), 100 * rnd.randint(1, 9), 90 * rnd.randint(1, 9), None, None,
            rnd.choice(["Reconduire", "Améliorer", "Abandonner"]), "Bonne visibilité", ""]
           for i in range(review_lines)],
          {"Écart": "=[@[Résultat]]-[@[Objectif]]", "Taux": '=IF([@[Objectif]]=0,"",[@[Résultat]]/[@[Objectif]])'},
          {"Budget": money, "Dépense": money, "Taux": pct})

    objs = wb.add_worksheet("Objectifs")
    table(objs, "tblObjectifs", ["ID", "Famille", "Parent", "Énoncé", "Indicateur", "Base", "Cible", "Unité",
                                 "Échéance", "Responsable", "Progression", "SMART", "Actions"],
          [[f"O{i:02d}", rnd.choice(["Activité", "Communication", "Client"]), "" if i < 4 else f"O{i % 4:02d}",
            f"Augmenter le chiffre d'affaires de {i + 5} %", "CA mensuel", 10000.0 + i, 11000.0 + i * 10, "€",
            dt.date(YEAR, 1 + i % 12, 28), "Camille Martin", None, None, None] for i in range(objectives)],
          {"Progression": '=IF([@[Cible]]=[@[Base]],"",([@[Cible]]-[@[Base]])/[@[Base]])',
           "SMART": '=IF(AND([@[Indicateur]]<>"",ISNUMBER([@[Cible]]),ISNUMBER([@[Échéance]])),"OK","À revoir")',
           "Actions": "=COUNTIFS(tblActions[Objectif],[@[ID]])"},
          {"Échéance": date, "Progression": pct})

    acts = wb.add_worksheet("Actions")
    table(acts, "tblActions", ["ID", "Objectif", "Quoi", "Comment", "Canal", "Responsable", "Service", "Début",
                               "Fin", "Étapes", "Statut", "Gain attendu", "Coût", "ROI", "Durée", "Mois"],
          [[f"A{i:05d}", f"O{i % objectives:02d}", f"Campagne {i}", "Séquence de 3 envois", rnd.choice(CHANNELS),
            "Camille Martin", "Marketing", dt.date(YEAR, 1 + i % 12, 1), dt.date(YEAR, 1 + i % 12, 25),
            "Brief, création, diffusion", rnd.choice(STATUSES), 500.0 * rnd.randint(1, 40), None, None, None, None]
           for i in range(actions)],
          {"Coût": "=SUMIFS(tblBudget[Prévu],tblBudget[Action],[@[ID]])",
           "ROI": '=IF([@[Coût]]=0,"",([@[Gain attendu]]-[@[Coût]])/[@[Coût]])',
           "Durée": '=IF(AND(ISNUMBER([@[Début]]),ISNUMBER([@[Fin]])),[@[Fin]]-[@[Début]]+1,"")',
           "Mois": '=IF(ISNUMBER([@[Début]]),MONTH([@[Début]]),"")'},
          {"Début": date, "Fin": date, "Gain attendu": money, "Coût": money, "ROI": pct})

    budget = wb.add_worksheet("Budget")
    table(budget, "tblBudget", ["ID", "Action", "Poste", "Fournisseur", "Devis", "Montant devis", "N-1", "Prévu",
                                "Engagé", "Réel", "Écart", "Écart %", "Dépassement"],
          [[f"L{i:05d}", f"A{i % max(actions, 1):05d}", rnd.choice(ITEMS), f"Fournisseur {i % 17}", f"DV-{i:05d}",
            100.0 * rnd.randint(1, 50), 90.0 * rnd.randint(1, 50), 100.0 * rnd.randint(1, 50),
            80.0 * rnd.randint(0, 50), 95.0 * rnd.randint(0, 50), None, None, None] for i in range(budget_lines)],
          {"Écart": "=[@[Réel]]-[@[Prévu]]", "Écart %": '=IF([@[Prévu]]=0,"",[@[Écart]]/[@[Prévu]])',
           "Dépassement": '=IF([@[Réel]]>[@[Prévu]],"Oui","Non")'},
          {"Montant devis": money, "N-1": money, "Prévu": money, "Engagé": money, "Réel": money, "Écart": money,
           "Écart %": pct})

    kpi = wb.add_worksheet("KPI")
    table(kpi, "tblKPI", ["ID", "Nom", "Type", "Objectif", "Définition", "Unité", "Sens", "Base", "Cible", "Réel",
                          "Écart", "Atteinte", "Statut", "Commentaire"],
          [[f"K{i:02d}", f"Indicateur {i}", rnd.choice(["Financier", "Performance"]), f"O{i % objectives:02d}",
            "Mesuré chaque mois", "%", rnd.choice(["Plus haut = mieux", "Plus bas = mieux"]), 10.0 + i, 12.0 + i,
            11.0 + i, None, None, None, ""] for i in range(kpis)],
          {"Écart": "=[@[Réel]]-[@[Cible]]",
           "Atteinte": '=IF([@[Cible]]=[@[Base]],"",([@[Réel]]-[@[Base]])/([@[Cible]]-[@[Base]]))',
           "Statut": '=IF([@[Atteinte]]="","",IF([@[Atteinte]]>=1,"Atteint","En retard"))'},
          {"Atteinte": pct})

    dash = wb.add_worksheet("Tableau de bord")
    dash.write("A1", "Tableau de bord")
    for i, item in enumerate(ITEMS):
        dash.write(3 + i, 0, item)
        dash.write_formula(3 + i, 1, f'=SUMIFS(tblBudget[Prévu],tblBudget[Poste],$A{4 + i})', money, 0)
        dash.write_formula(3 + i, 2, f'=SUMIFS(tblBudget[Réel],tblBudget[Poste],$A{4 + i})', money, 0)
    chart = wb.add_chart({"type": "column"})
    chart.add_series({"name": "Prévu", "categories": "='Tableau de bord'!$A$4:$A$9",
                      "values": "='Tableau de bord'!$B$4:$B$9"})
    dash.insert_chart("E3", chart)

    lists = wb.add_worksheet("Listes")
    for i, channel in enumerate(CHANNELS):
        lists.write(i, 0, channel)
    wb.define_name("list_channel", f"='Listes'!$A$1:$A${len(CHANNELS)}")
    lists.hide()
    config = wb.add_worksheet("Config")
    config.write("A1", "template_version")
    config.write("B1", "1.0")
    config.very_hidden()
    if vba is not None:
        wb.add_vba_project(io.BytesIO(vba), is_stream=True)
    wb.close()
    return path


# --------------------------------------------------------------------------------------------------
# A raw ZIP writer, which can lie


@dataclass
class Member:
    """One ZIP member. *data* is deflated unless *raw* gives the compressed bytes already.

    *declared_size* and *crc* override what the central directory says; left
    to None they tell the truth (*raw* members need both given).
    """

    name: str
    data: bytes = b""
    raw: bytes | None = None
    declared_size: int | None = None
    crc: int | None = None
    stored: bool = False


def write_zip(path: str | os.PathLike, members: list[Member]) -> Path:
    """Write the ZIP archive *members* at *path*, byte by byte, as declared (no ZIP64)."""
    out = io.BytesIO()
    central = []
    for m in members:
        if m.raw is not None:
            payload, method = m.raw, 8
        elif m.stored:
            payload, method = m.data, 0
        else:
            comp = zlib.compressobj(6, zlib.DEFLATED, -15)
            payload, method = comp.compress(m.data) + comp.flush(), 8
        size = m.declared_size if m.declared_size is not None else len(m.data)
        crc = m.crc if m.crc is not None else zlib.crc32(m.data)
        name = m.name.encode("utf-8")
        offset = out.tell()
        out.write(struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0x800, method, 0, 0x21, crc, len(payload), size,
                              len(name), 0))
        out.write(name)
        out.write(payload)
        central.append(struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0x800, method, 0, 0x21, crc,
                                   len(payload), size, len(name), 0, 0, 0, 0, 0, offset) + name)
    start = out.tell()
    for entry in central:
        out.write(entry)
    out.write(struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(central), len(central), out.tell() - start,
                          start, 0))
    path = Path(path)
    path.write_bytes(out.getvalue())
    return path


def deflate_zeros(total: int, chunk: int = 2**20) -> bytes:
    """A raw deflate stream of *total* zero bytes, built in milliseconds.

    Each full-flushed block of *chunk* zeros compresses to the same bytes,
    independent of what came before, so one is compressed and repeated.
    """
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = comp.compress(bytes(chunk)) + comp.flush(zlib.Z_FULL_FLUSH)
    count, rest = divmod(total, chunk)
    tail = zlib.compressobj(9, zlib.DEFLATED, -15)
    end = tail.compress(bytes(rest)) + tail.flush()
    return block * count + end


# --------------------------------------------------------------------------------------------------
# Minimal xlsx parts, for hand-written packages

CT_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
REL_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
REL_SHEET = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
REL_STRINGS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"


def content_types(main: str = CT_XLSX, part: str = "/xl/workbook.xml", sheets: int = 1, strings: bool = True) -> bytes:
    overrides = [f'<Override PartName="{part}" ContentType="{main}"/>']
    overrides += [f'<Override PartName="/xl/worksheets/sheet{i + 1}.xml" ContentType="application/'
                  f'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' for i in range(sheets)]
    if strings:
        overrides.append('<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                         'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>')
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>' + "".join(overrides) + "</Types>").encode()


def minimal_xlsx_members(sheet_xml: bytes | list[bytes], strings_xml: bytes | None = None,
                         sheet_names: list[str] | None = None) -> list[Member]:
    """The members of a small but complete xlsx package around the given sheet XML."""
    sheets = sheet_xml if isinstance(sheet_xml, list) else [sheet_xml]
    names = sheet_names or [f"Sheet{i + 1}" for i in range(len(sheets))]
    rels = "".join(f'<Relationship Id="rId{i + 1}" Type="{REL_SHEET}" Target="worksheets/sheet{i + 1}.xml"/>'
                   for i in range(len(sheets)))
    if strings_xml is not None:
        rels += f'<Relationship Id="rId{len(sheets) + 1}" Type="{REL_STRINGS}" Target="sharedStrings.xml"/>'
    workbook = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="{NS_MAIN}" '
                f'xmlns:r="{NS_R}"><sheets>'
                + "".join(f'<sheet name="{n}" sheetId="{i + 1}" r:id="rId{i + 1}"/>' for i, n in enumerate(names))
                + "</sheets></workbook>")
    members = [
        Member("[Content_Types].xml", content_types(sheets=len(sheets), strings=strings_xml is not None)),
        Member("_rels/.rels", (f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
                               f'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
                               f'Type="{REL_DOC}" Target="xl/workbook.xml"/></Relationships>').encode()),
        Member("xl/workbook.xml", workbook.encode()),
        Member("xl/_rels/workbook.xml.rels", ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http:'
                                              '//schemas.openxmlformats.org/package/2006/relationships">' + rels
                                              + "</Relationships>").encode()),
    ]
    members += [Member(f"xl/worksheets/sheet{i + 1}.xml", s) for i, s in enumerate(sheets)]
    if strings_xml is not None:
        members.append(Member("xl/sharedStrings.xml", strings_xml))
    return members


def sheet_xml(rows: str, dimension: str | None = "A1") -> bytes:
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="{NS_MAIN}" '
            f'xmlns:r="{NS_R}">{dim}<sheetData>{rows}</sheetData></worksheet>').encode()


def shared_formula_workbook(path: str | os.PathLike) -> Path:
    """An xlsx whose formulas are shared, as Excel writes a formula filled down or across.

    Sheet1: A1:A6 numbers 1..6; B1 master ``A1*2`` shared down to B6; C1
    master ``SUM($A$1:A1)`` shared down to C6; D1 master ``A1+B1`` shared
    across D1:F1; G1 master ``tbl[[#This Row],[x]]`` (no A1 reference) shared
    down to G3; H1 a normal formula ``"A1"&A1``; I1 an array formula
    ``SUM(A1:A6*2)`` over I1:I1; J1 a formula with entities ``IF(A1<2,"a&b",">")``.
    """
    rows = []
    for r in range(1, 7):
        cells = [f'<c r="A{r}"><v>{r}</v></c>']
        if r == 1:
            cells += ['<c r="B1"><f t="shared" ref="B1:B6" si="0">A1*2</f><v>2</v></c>',
                      '<c r="C1"><f t="shared" ref="C1:C6" si="1">SUM($A$1:A1)</f><v>1</v></c>',
                      '<c r="D1"><f t="shared" ref="D1:F1" si="2">A1+B1</f><v>3</v></c>',
                      '<c r="E1"><f t="shared" si="2"/><v>3</v></c>',
                      '<c r="F1"><f t="shared" si="2"/><v>4</v></c>',
                      '<c r="G1"><f t="shared" ref="G1:G3" si="3">tbl[[#This Row],[x]]</f><v>1</v></c>',
                      '<c r="H1" t="str"><f>"A1"&amp;A1</f><v>A11</v></c>',
                      '<c r="I1"><f t="array" ref="I1">SUM(A1:A6*2)</f><v>42</v></c>',
                      '<c r="J1" t="str"><f>IF(A1&lt;2,"a&amp;b","&gt;")</f><v>a&amp;b</v></c>']
        else:
            cells += [f'<c r="B{r}"><f t="shared" si="0"/><v>{2 * r}</v></c>',
                      f'<c r="C{r}"><f t="shared" si="1"/><v>{r * (r + 1) // 2}</v></c>']
            if r <= 3:
                cells.append(f'<c r="G{r}"><f t="shared" si="3"/><v>{r}</v></c>')
        rows.append(f'<row r="{r}">{"".join(cells)}</row>')
    return write_zip(path, minimal_xlsx_members(sheet_xml("".join(rows), "A1:J6")))


# --------------------------------------------------------------------------------------------------
# A minimal OLE compound file writer (MS-CFB version 3)

_FREE, _END, _FAT = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
_NOSTREAM = 0xFFFFFFFF


def compound_file(streams: dict[str, bytes]) -> bytes:
    """An OLE compound file holding *streams* (name -> bytes) at its root.

    Streams are padded to 4096 bytes so they all live in regular sectors (no
    mini stream), which keeps the writer short; names are what readers check.
    """
    sector = 512
    names = sorted(streams, key=lambda n: (len(n), n.upper()))
    datas = [streams[n] + bytes(max(0, 4096 - len(streams[n]))) for n in names]
    entries = len(names) + 1
    dir_sectors = -(-entries * 128 // sector)
    data_sectors = [-(-len(d) // sector) for d in datas]
    total = dir_sectors + sum(data_sectors)
    fat_sectors = 1
    while (total + fat_sectors) > fat_sectors * (sector // 4):
        fat_sectors += 1
    fat = [_FAT] * fat_sectors
    dir_start = len(fat)
    fat += [len(fat) + i + 1 for i in range(dir_sectors - 1)] + [_END]
    starts = []
    for count in data_sectors:
        starts.append(len(fat))
        fat += [len(fat) + i + 1 for i in range(count - 1)] + [_END]
    fat += [_FREE] * (fat_sectors * (sector // 4) - len(fat))

    def entry(name: str, kind: int, child: int, right: int, start: int, size: int) -> bytes:
        encoded = name.encode("utf-16-le")
        return (encoded.ljust(64, b"\0") + struct.pack("<HBBIII", len(encoded) + 2, kind, 1, _NOSTREAM, right, child)
                + bytes(16) + bytes(4) + bytes(16) + struct.pack("<IQ", start, size))

    directory = entry("Root Entry", 5, 1 if names else _NOSTREAM, _NOSTREAM, _END, 0)
    for i, (name, data, start) in enumerate(zip(names, datas, starts)):
        right = i + 2 if i + 1 < len(names) else _NOSTREAM
        directory += entry(name, 2, _NOSTREAM, right, start, len(data))
    directory = directory.ljust(dir_sectors * sector, b"\0")  # unused slots: empty entries
    difat = list(range(fat_sectors)) + [_FREE] * (109 - fat_sectors)
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16) + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
              + bytes(6) + struct.pack("<IIIIIIIII", 0, fat_sectors, dir_start, 0, 4096, _END, 0, _END, 0)
              + struct.pack("<109I", *difat))
    body = struct.pack(f"<{len(fat)}I", *fat) + directory + b"".join(d.ljust(-(-len(d) // sector) * sector, b"\0")
                                                                       for d in datas)
    return header + body


# --------------------------------------------------------------------------------------------------
# The hostile corpus


@dataclass
class Case:
    """A file of the corpus and the error code reading it must end with."""

    path: Path
    code: str
    limits: dict | None = None  # Limits overrides, when the case is about a small limit


def _billion_laughs(root: str) -> str:
    entities = ['<!ENTITY lol "lol">'] + [f'<!ENTITY lol{i} "{("&lol%s;" % ("" if i == 1 else i - 1)) * 10}">'
                                          for i in range(1, 10)]
    return f'<?xml version="1.0"?><!DOCTYPE {root} [{"".join(entities)}]>'


def build_corpus(folder: str | os.PathLike) -> dict[str, Case]:
    """Write the hostile corpus into *folder*; return name -> :class:`Case`."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    cases: dict[str, Case] = {}
    good = plan_workbook(folder / "good-baseline.xlsx", actions=20, budget_lines=30)
    good_bytes = good.read_bytes()

    def case(name: str, data: bytes, code: str, **limits) -> None:
        path = folder / name
        path.write_bytes(data)
        cases[name] = Case(path, code, limits or None)

    def zip_case(name: str, members: list[Member], code: str, **limits) -> None:
        write_zip(folder / name, members)
        cases[name] = Case(folder / name, code, limits or None)

    one_cell = sheet_xml('<row r="1"><c r="A1" t="s"><v>0</v></c></row>')
    strings_ok = (f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{NS_MAIN}" count="1" uniqueCount="1">'
                  '<si><t>ok</t></si></sst>').encode()

    # Zip bombs: 1 GiB of zeros as the sheet, declared honestly, then declared as 1 KB.
    bomb = deflate_zeros(2**30)
    base = [m for m in minimal_xlsx_members(one_cell, strings_ok) if m.name != "xl/worksheets/sheet1.xml"]
    zip_case("zip-bomb.xlsx", base + [Member("xl/worksheets/sheet1.xml", raw=bomb, declared_size=2**30, crc=0)],
             "oversized-workbook")
    zip_case("zip-bomb-lying-sizes.xlsx",
             base + [Member("xl/worksheets/sheet1.xml", raw=bomb, declared_size=1000, crc=0)], "oversized-workbook")
    # Many members of a moderate ratio, each under the per-member limit, too much in total.
    many = deflate_zeros(150 * 2**20)
    zip_case("zip-bomb-spread.xlsx", minimal_xlsx_members(one_cell, strings_ok)
             + [Member(f"xl/media/pad{i}.xml", raw=many, declared_size=150 * 2**20, crc=0) for i in range(4)],
             "oversized-workbook", max_ratio=1e9)
    zip_case("too-many-members.xlsx", minimal_xlsx_members(one_cell, strings_ok)
             + [Member(f"xl/media/m{i}.bin", b"") for i in range(12_000)], "oversized-workbook")

    # XML entity bombs: in the shared strings, in a sheet, in an optional part, in UTF-16.
    laughs_sst = (_billion_laughs("sst") + f'<sst xmlns="{NS_MAIN}"><si><t>&lol9;</t></si></sst>').encode()
    zip_case("entity-bomb-strings.xlsx", minimal_xlsx_members(one_cell, laughs_sst), "unsafe-xml")
    laughs_sheet = (_billion_laughs("worksheet") + f'<worksheet xmlns="{NS_MAIN}"><sheetData><row r="1">'
                    '<c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>').encode()
    zip_case("entity-bomb-sheet.xlsx", minimal_xlsx_members(laughs_sheet, strings_ok), "unsafe-xml")
    xxe = ('<?xml version="1.0"?><!DOCTYPE Properties [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
           '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties">'
           '<property name="p" fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2"><lpwstr>&x;</lpwstr>'
           '</property></Properties>').encode()
    types_bomb = minimal_xlsx_members(one_cell, strings_ok)
    types_bomb[0].data = _billion_laughs("Types").encode() + types_bomb[0].data.split(b"?>", 1)[1]
    zip_case("entity-bomb-content-types.xlsx", types_bomb, "unsafe-xml")
    zip_case("external-entity-custom.xlsx", minimal_xlsx_members(one_cell, strings_ok)
             + [Member("docProps/custom.xml", xxe)], "unsafe-xml")
    zip_case("entity-bomb-utf16.xlsx", minimal_xlsx_members(
        laughs_sheet.decode().replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="UTF-16"?>')
        .encode("utf-16"), strings_ok), "unsafe-xml")

    declared = sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>').replace(
        b'encoding="UTF-8"', b'encoding="cp037"')
    zip_case("foreign-encoding.xlsx", minimal_xlsx_members(declared, strings_ok), "unsafe-xml")

    # Encrypted: a hand-made compound file, and a real one if msoffcrypto-tool is there.
    case("encrypted.xlsx", compound_file({"EncryptionInfo": b"\x04\x00\x04\x00\x40\x00\x00\x00",
                                          "EncryptedPackage": os.urandom(2048),
                                          "\x06DataSpaces": b""}), "encrypted-workbook")
    try:
        from msoffcrypto.format.ooxml import OOXMLFile
    except ImportError:
        pass
    else:
        out = io.BytesIO()
        OOXMLFile(io.BytesIO(good_bytes)).encrypt("secret", out)
        case("encrypted-real.xlsx", out.getvalue(), "encrypted-workbook")

    # Damaged and wrong files.
    case("truncated.xlsx", good_bytes[: len(good_bytes) // 2], "corrupt-workbook")
    flipped = bytearray(good_bytes)
    sheet_at = good_bytes.find(b"xl/worksheets/sheet5.xml")  # local header of the Actions sheet
    for i in range(sheet_at + 200, sheet_at + 260):
        flipped[i] ^= 0x5A
    case("flipped-bytes.xlsx", bytes(flipped), "corrupt-workbook")
    case("random-bytes.xlsx", random.Random(3).randbytes(64 * 1024), "not-a-workbook")
    case("empty.xlsx", b"", "not-a-workbook")
    case("csv-renamed.xlsx", "ID;Action;Budget\nA001;Salon Lyon;1 200,50\nA002;E-mailing;350\n".encode(),
         "not-a-workbook")
    case("unicode-text-renamed.xlsx", "ID\tAction\nA001\tSalon\n".encode("utf-16"), "not-a-workbook")
    case("html-renamed.xlsx", b"<html><body><table><tr><td>1</td></tr></table></body></html>", "not-a-workbook")
    case("pdf-renamed.xlsx", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "wrong-office-format")
    docx = [Member("[Content_Types].xml", content_types(
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
                "/word/document.xml", sheets=0, strings=False)),
            Member("_rels/.rels", ('<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                                   f'package/2006/relationships"><Relationship Id="rId1" Type="{REL_DOC}" '
                                   'Target="word/document.xml"/></Relationships>').encode()),
            Member("word/document.xml", b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats'
                                        b'.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Plan</w:t></w:r>'
                                        b'</w:p></w:body></w:document>')]
    zip_case("docx-renamed.xlsx", docx, "wrong-office-format")
    pptx = [Member("[Content_Types].xml", content_types(
        "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
        "/ppt/presentation.xml", sheets=0, strings=False)), Member("ppt/presentation.xml", b"<p/>")]
    zip_case("pptx-renamed.xlsx", pptx, "wrong-office-format")
    xlsb = [Member("[Content_Types].xml", content_types(
        "application/vnd.ms-excel.sheet.binary.macroEnabled.main", "/xl/workbook.bin", sheets=0, strings=False)),
        Member("xl/workbook.bin", b"\x83\x01\x00")]
    zip_case("xlsb-renamed.xlsx", xlsb, "wrong-office-format")
    zip_case("ods-renamed.xlsx", [Member("mimetype", b"application/vnd.oasis.opendocument.spreadsheet", stored=True),
                                  Member("content.xml", b"<office:document-content/>")], "wrong-office-format")
    zip_case("odt-renamed.xlsx", [Member("mimetype", b"application/vnd.oasis.opendocument.text", stored=True),
                                  Member("content.xml", b"<office:document-content/>")], "wrong-office-format")
    zip_case("plain-zip.xlsx", [Member("readme.txt", b"hello")], "not-a-workbook")
    case("legacy.xls.xlsx", compound_file({"Workbook": b"\x09\x08\x10\x00\x00\x06\x05\x00" + bytes(8),
                                          "\x05SummaryInformation": b""}), "legacy-xls")
    case("doc-renamed.xlsx", compound_file({"WordDocument": b"\xec\xa5", "1Table": b""}), "wrong-office-format")
    case("other-compound.xlsx", compound_file({"Contents": b"x"}), "not-a-workbook")
    case("compound-truncated.xlsx", compound_file({"Workbook": b"x"})[:700], "corrupt-workbook")

    # Huge sheets: too many rows (honest dimension, then none), too wide, sparse memory bomb.
    many_rows = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(1, 250_002))
    zip_case("huge-rows.xlsx", minimal_xlsx_members(sheet_xml(many_rows, "A1:A250001"), strings_ok),
             "oversized-workbook")
    zip_case("huge-rows-no-dimension.xlsx", minimal_xlsx_members(sheet_xml(many_rows, None), strings_ok),
             "oversized-workbook")
    zip_case("huge-rows-lying-dimension.xlsx", minimal_xlsx_members(sheet_xml(many_rows, "A1"), strings_ok),
             "oversized-workbook")
    zip_case("too-wide.xlsx", minimal_xlsx_members(sheet_xml('<row r="1"><c r="A1"><v>1</v></c>'
                                                             '<c r="XFD1"><v>1</v></c></row>', "A1"), strings_ok),
             "oversized-workbook")
    zip_case("sparse-bomb.xlsx", minimal_xlsx_members(sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>'
                                                                '<row r="240000"><c r="ALK240000"><v>1</v></c></row>',
                                                                "A1"), strings_ok), "oversized-workbook")
    zip_case("huge-rows-no-r.xlsx", minimal_xlsx_members(sheet_xml(
        "<row><c><v>1</v></c></row>" * 40, None), strings_ok), "oversized-workbook", max_rows=30)
    zip_case("prefixed-huge.xlsx", minimal_xlsx_members(
        f'<x:worksheet xmlns:x="{NS_MAIN}"><x:sheetData>'.encode()
        + "".join(f'<x:row r="{r}"><x:c r="B{r}"><x:v>1</x:v></x:c></x:row>' for r in range(1, 41)).encode()
        + b"</x:sheetData></x:worksheet>", strings_ok), "oversized-workbook", max_rows=30)
    case("too-big-file.xlsx", good_bytes, "oversized-workbook", max_file_bytes=len(good_bytes) - 1)
    cases["missing.xlsx"] = Case(folder / "missing.xlsx", "file-missing")
    cases["a-folder.xlsx"] = Case(folder / "a-folder.xlsx", "file-missing")
    (folder / "a-folder.xlsx").mkdir(exist_ok=True)
    return cases


# --------------------------------------------------------------------------------------------------
# Issue 8's hostile files: each must end in one clear finding, fast, within bounded memory


def shared_formula_bomb(path: str | os.PathLike, followers: int = 60_000) -> Path:
    """A ~400 KB sheet: one 1,500-reference shared formula and *followers* cells sharing it (~470 M characters)."""
    master = "+".join(f"A{i}" for i in range(1, 1500))
    rows = (f'<row r="1"><c r="B1"><f t="shared" ref="B1:B{followers + 1}" si="0">{master}</f><v>1</v></c></row>'
            + "".join(f'<row r="{r}"><c r="B{r}"><f t="shared" si="0"/><v>1</v></c></row>'
                      for r in range(2, followers + 2)))
    return write_zip(path, minimal_xlsx_members(sheet_xml(rows, None)))


def foreign_namespace_cell(path: str | os.PathLike, cell: str = "XFD1048576", prefixed: bool = True) -> Path:
    """A cell in a foreign namespace at *cell*: python-calamine (matching local names) would allocate the grid."""
    far = (f'<z:c xmlns:z="urn:x" r="{cell}"><z:v>1</z:v></z:c>' if prefixed
           else f'<c xmlns="urn:x" r="{cell}"><v>1</v></c>')
    return write_zip(path, minimal_xlsx_members(sheet_xml(f'<row r="1"><c r="A1"><v>1</v></c>{far}</row>', None)))


def issue8_hostile(folder: str | os.PathLike) -> dict[str, Case]:
    """The crafted files of issue 8, with their expected code: refused, or read (just under the formula limit)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    return {
        "shared-formula-bomb.xlsx": Case(shared_formula_bomb(folder / "shared-formula-bomb.xlsx"),
                                         "oversized-workbook"),
        "shared-formula-under-limit.xlsx": Case(shared_formula_bomb(folder / "shared-formula-under-limit.xlsx",
                                                                    followers=1100), "not-mplan-workbook"),
        "foreign-ns-XFD1048576.xlsx": Case(foreign_namespace_cell(folder / "foreign-ns-XFD1048576.xlsx"),
                                           "corrupt-workbook"),
        "foreign-ns-XFD4000.xlsx": Case(foreign_namespace_cell(folder / "foreign-ns-XFD4000.xlsx", "XFD4000"),
                                        "corrupt-workbook"),
        "foreign-default-ns.xlsx": Case(foreign_namespace_cell(folder / "foreign-default-ns.xlsx", prefixed=False),
                                        "corrupt-workbook"),
    }
