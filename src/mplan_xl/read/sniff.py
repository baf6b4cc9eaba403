"""What a file that is not an OOXML workbook is: an OLE compound file (encrypted, legacy .xls, Word...),
a PDF, a text file... so the message says what it is and what to do."""

from __future__ import annotations

import io

from ..core.errors import UnreadableWorkbook
from ..core.vocabulary import Label

#: Magic bytes of the two container formats Office uses.
ZIP_MAGIC = b"PK\x03\x04"
EMPTY_ZIP_MAGIC = b"PK\x05\x06"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _classify_compound(data: bytes) -> UnreadableWorkbook:
    """An OLE compound file: encrypted OOXML, legacy .xls, another Office format or unknown."""
    import olefile

    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            streams = {"/".join(entry).lower() for entry in ole.listdir(streams=True, storages=True)}
    except Exception:  # olefile raises OSError and assorted errors on damaged files
        return UnreadableWorkbook("corrupt-workbook", detail=Label(
            "fichier composé OLE illisible", "unreadable OLE compound file"))
    if "encryptedpackage" in streams or "encryptioninfo" in streams:
        return UnreadableWorkbook("encrypted-workbook")
    if "workbook" in streams or "book" in streams:
        return UnreadableWorkbook("legacy-xls")
    if "worddocument" in streams:
        return UnreadableWorkbook("wrong-office-format", format=Label("Word 97-2003 (.doc)", "Word 97-2003 (.doc)"))
    if "powerpoint document" in streams:
        return UnreadableWorkbook("wrong-office-format",
                                  format=Label("PowerPoint 97-2003 (.ppt)", "PowerPoint 97-2003 (.ppt)"))
    if "__substg1.0_0037001f" in streams or "__substg1.0_0037001e" in streams or any(
            s.startswith("__substg1.0_") for s in streams):
        return UnreadableWorkbook("wrong-office-format", format=Label("message Outlook (.msg)", "Outlook message (.msg)"))
    return UnreadableWorkbook("not-a-workbook", Label(
        "Ce fichier est un fichier composé OLE qui n'est pas un classeur Excel",
        "This file is an OLE compound file that is not an Excel workbook"))


def _classify_other(data: bytes) -> UnreadableWorkbook:
    """Neither ZIP nor OLE: say what it looks like, for a useful message."""
    if not data:
        return UnreadableWorkbook("not-a-workbook", Label("Le fichier est vide (0 octet)", "The file is empty (0 bytes)"))
    head = data[:4096]
    if head.startswith(b"%PDF"):
        return UnreadableWorkbook("wrong-office-format", format=Label("PDF", "PDF"))
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped[:1] == b"<":
        lowered = stripped[:2048].lower()
        if b"urn:schemas-microsoft-com:office:spreadsheet" in lowered or b"<?mso-application" in lowered:
            return UnreadableWorkbook("wrong-office-format",
                                      format=Label("Feuille de calcul XML 2003 (.xml)", "XML Spreadsheet 2003 (.xml)"))
        if b"<html" in lowered or b"<!doctype html" in lowered or b"<table" in lowered:
            return UnreadableWorkbook("not-a-workbook", Label(
                "Ce fichier est une page HTML renommée, pas un classeur Excel",
                "This file is a renamed HTML page, not an Excel workbook"))
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # "Unicode text" as Excel exports it: UTF-16
        head = head[:len(head) - len(head) % 2].decode("utf-16", "replace").encode("utf-8")
    if b"\x00" not in head and _looks_like_text(head):
        return UnreadableWorkbook("not-a-workbook", Label(
            "Ce fichier est un fichier texte (CSV ?) renommé, pas un classeur Excel",
            "This file is a renamed text (CSV?) file, not an Excel workbook"), hint=Label(
            "Ouvrez-le dans Excel et enregistrez-le au format .xlsx, ou renvoyez le classeur du plan marketing.",
            "Open it in Excel and save it as .xlsx, or send back the marketing plan workbook."))
    return UnreadableWorkbook("not-a-workbook", Label(
        "Ce fichier n'est pas un classeur Excel : son contenu n'est ni une archive Office ni un format connu",
        "This file is not an Excel workbook: its content is neither an Office archive nor a known format"))


def _looks_like_text(head: bytes) -> bool:
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a character cut at the end of the sample
            text = head.decode("latin-1")
        else:
            text = head[: exc.start].decode("utf-8")
    printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in text)
    return printable >= 0.95 * max(len(text), 1)
