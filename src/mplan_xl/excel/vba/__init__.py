"""Write and read VBA projects (``vbaProject.bin``) in pure Python, from [MS-OVBA] and [MS-CFB].

The macro-enabled runtime of mplan-xl is an ``.xlsm`` built on Linux by
XlsxWriter, which embeds a ready-made ``vbaProject.bin`` but cannot make one.
:func:`build_vba_project` makes it from module source code: the modules are
written source-only (compressed source, no compiled performance cache), which
is what the specification requires of writers, so Excel compiles them from
source when the workbook is opened. :func:`read_vba_modules` reads the source
of every module back, from a ``vbaProject.bin`` or from a whole ``.xlsm``.

Contract with XlsxWriter:

* Every sheet of a workbook that carries a VBA project has a *code name*, and
  so does the workbook itself. Excel binds each to the **document module** of
  the same name. Pass one ``kind="document"`` module named like the workbook's
  code name (``"ThisWorkbook"``, XlsxWriter's default) and one per worksheet
  code name (XlsxWriter defaults to ``Sheet1``, ``Sheet2``, ... in sheet order;
  set them explicitly with ``worksheet.set_vba_name(...)``). Their source may
  be empty. A document module named ``ThisWorkbook`` gets the Workbook base
  class, any other document module the Worksheet one; give an
  ``Attribute VB_Base = "0{...}"`` line in its source to choose another.
* Standard modules (``kind="standard"``) hold the code: the xlwings runtime
  module ``xlwings.bas``, the generated UDF wrappers. Class modules
  (``kind="class"``) are supported too.

Module source text:

* Give the code without any header: the writer adds the ``Attribute`` lines
  the VBA editor itself stores for each kind (``VB_Name`` for a standard
  module; ``VB_Name``, ``VB_Base``, ``VB_GlobalNameSpace``, ``VB_Creatable``,
  ``VB_PredeclaredId``, ``VB_Exposed``, ``VB_TemplateDerived`` and
  ``VB_Customizable`` for class and document modules).
* Text exported by the VBA editor (``.bas``, ``.cls``) is accepted as is: the
  ``VERSION 1.0 CLASS`` / ``BEGIN`` ... ``END`` block of a ``.cls`` file is
  dropped, and the leading ``Attribute VB_...`` lines are merged with the
  defaults -- a value given in the text wins, except ``VB_Name``, which is
  always the module's ``name``; attributes the defaults lack (such as
  ``VB_Description``) are kept after them, in their order. ``Attribute`` lines
  further down (procedure attributes) are code and stay where they are.
* Line endings are normalised to CRLF, as VBA stores them, and the text ends
  with CRLF. A leading byte order mark is dropped. The text must be encodable
  in the project's code page (1252 by default).
* :meth:`VbaModule.stored_source` returns exactly the text that is stored, and
  that :func:`read_vba_modules` gives back.

Example:
    >>> import io, xlsxwriter
    >>> data = build_vba_project([
    ...     VbaModule("ThisWorkbook", "", kind="document"),
    ...     VbaModule("Sheet1", "", kind="document"),
    ...     VbaModule("mplan_udfs", "Function Answer()\\n    Answer = 42\\nEnd Function\\n"),
    ... ])
    >>> buffer = io.BytesIO()
    >>> workbook = xlsxwriter.Workbook(buffer)
    >>> workbook.set_vba_name("ThisWorkbook")
    >>> worksheet = workbook.add_worksheet()
    >>> worksheet.set_vba_name("Sheet1")
    >>> workbook.add_vba_project(io.BytesIO(data), is_stream=True)
    0
    >>> workbook.close()
    >>> read_vba_modules(buffer.getvalue())["mplan_udfs"]
    'Attribute VB_Name = "mplan_udfs"\\r\\nFunction Answer()\\r\\n    Answer = 42\\r\\nEnd Function\\r\\n'
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from . import project as _project
from .cfb import write_compound_file
from .compression import compress, decompress

__all__ = ["VbaModule", "build_vba_project", "read_vba_modules", "compress", "decompress"]

_WORKBOOK_BASE = '"0{00020819-0000-0000-C000-000000000046}"'
_WORKSHEET_BASE = '"0{00020820-0000-0000-C000-000000000046}"'
_CLASS_BASE = '"0{FCFB3D2A-A0FA-1068-A738-08002B3371B5}"'

_ATTRIBUTE_LINE = re.compile(r"^Attribute\s+(VB_\w+)\s*=\s*(.*?)\s*$", re.IGNORECASE)
_NEWLINES = re.compile(r"\r\n|\r|\n")


def _default_attributes(name: str, kind: str) -> list[tuple[str, str]]:
    """The header attributes the VBA editor stores for a new module of *kind*."""
    if kind == "standard":
        return [("VB_Name", f'"{name}"')]
    if kind == "class":
        base, predeclared, exposed, customizable = _CLASS_BASE, "False", "False", "False"
    else:
        base = _WORKBOOK_BASE if name == "ThisWorkbook" else _WORKSHEET_BASE
        predeclared, exposed, customizable = "True", "True", "True"
    return [
        ("VB_Name", f'"{name}"'),
        ("VB_Base", base),
        ("VB_GlobalNameSpace", "False"),
        ("VB_Creatable", "False"),
        ("VB_PredeclaredId", predeclared),
        ("VB_Exposed", exposed),
        ("VB_TemplateDerived", "False"),
        ("VB_Customizable", customizable),
    ]


def _valid_identifier(name: str) -> bool:
    return bool(name) and name[0].isalpha() and all(c.isalnum() or c == "_" for c in name)


@dataclass(frozen=True)
class VbaModule:
    """One VBA module: its name, its source code and its kind.

    *kind* is ``"standard"`` (a ``.bas`` module), ``"class"`` (a ``.cls``
    class module) or ``"document"`` (the module behind the workbook or a
    worksheet, named after its code name). See the package docstring for how
    *source* is turned into the stored text.

    Example:
        >>> VbaModule("Module1", "Sub Hello()\\nEnd Sub").stored_source()
        'Attribute VB_Name = "Module1"\\r\\nSub Hello()\\r\\nEnd Sub\\r\\n'
    """

    name: str
    source: str
    kind: Literal["standard", "class", "document"] = "standard"

    def stored_source(self) -> str:
        """The exact text stored in the project: merged ``Attribute`` header, then the code, CRLF line ends.

        Example:
            >>> text = VbaModule("Sheet1", "", kind="document").stored_source()
            >>> text.splitlines()[1]
            'Attribute VB_Base = "0{00020820-0000-0000-C000-000000000046}"'
        """
        if self.kind not in ("standard", "class", "document"):
            raise ValueError(f"module {self.name!r}: kind must be standard, class or document, not {self.kind!r}")
        lines = _NEWLINES.split(self.source.removeprefix("\ufeff"))
        if lines and lines[-1] == "":
            lines.pop()  # the text ended with a line break
        i = 0
        # The VERSION/BEGIN/END block that heads a .cls (or .frm) export.
        if lines and lines[0].strip().upper().startswith("VERSION "):
            i = 1
            if i < len(lines) and lines[i].strip().upper() == "BEGIN":
                depth = 0
                while i < len(lines):
                    word = lines[i].strip().upper()
                    if word == "BEGIN" or word.startswith("BEGIN "):
                        depth += 1
                    elif word == "END":
                        depth -= 1
                        if depth == 0:
                            i += 1
                            break
                    i += 1
        given: list[tuple[str, str]] = []
        while i < len(lines):
            match = _ATTRIBUTE_LINE.match(lines[i])
            if not match:
                break
            given.append((match.group(1), match.group(2)))
            i += 1
        header = _default_attributes(self.name, self.kind)
        index = {key.lower(): n for n, (key, _) in enumerate(header)}
        for key, value in given:
            n = index.get(key.lower())
            if n is None:
                index[key.lower()] = len(header)
                header.append((key, value))
            elif key.lower() != "vb_name":
                header[n] = (header[n][0], value)
        body = lines[i:]
        return "".join(f"Attribute {key} = {value}\r\n" for key, value in header) + "".join(
            line + "\r\n" for line in body
        )


def build_vba_project(modules: Sequence[VbaModule], *, project_name: str = "VBAProject",
                      codepage: int = 1252) -> bytes:
    """Return the bytes of a ``vbaProject.bin`` holding *modules*, in their order.

    Raises ValueError for an invalid or duplicate module name (names are VBA
    identifiers of at most 31 characters, compared case-insensitively), an
    unknown kind, or text the code page cannot encode.

    Example:
        >>> data = build_vba_project([VbaModule("ThisWorkbook", "", kind="document"),
        ...                           VbaModule("Module1", "Function One()\\nOne = 1\\nEnd Function")])
        >>> sorted(read_vba_modules(data))
        ['Module1', 'ThisWorkbook']
    """
    codec = _project.python_codec(codepage)
    if not _valid_identifier(project_name) or len(project_name) > 128:
        raise ValueError(f"project name {project_name!r} must be a VBA identifier of at most 128 characters")
    seen: set[str] = set()
    for module in modules:
        if not _valid_identifier(module.name) or len(module.name) > 31:
            raise ValueError(f"module name {module.name!r} must be a VBA identifier "
                             "(a letter, then letters, digits or _) of at most 31 characters")
        if module.name.lower() == "dir":
            raise ValueError("a module cannot be named 'dir': the name of the project's dir stream")
        if module.name.lower() in seen:
            raise ValueError(f"duplicate module name {module.name!r} (VBA names are case-insensitive)")
        seen.add(module.name.lower())
    pairs = [(m.name, m.kind) for m in modules]
    project_id = _project.project_id_for(project_name, [m.name for m in modules])
    streams: dict[str, bytes] = {
        "PROJECT": _project.project_stream(project_id, project_name, codepage, pairs),
        "PROJECTwm": _project.projectwm_stream(codepage, [m.name for m in modules]),
        "VBA/_VBA_PROJECT": _project.VBA_PROJECT_STREAM,
        "VBA/dir": compress(_project.dir_stream(project_name, codepage, pairs)),
    }
    for module in modules:
        text = module.stored_source()
        if "\x00" in text:
            raise ValueError(f"module {module.name!r}: source contains a NUL character")
        try:
            raw = text.encode(codec)
        except UnicodeEncodeError as exc:
            raise ValueError(f"module {module.name!r}: source cannot be encoded in {codec}: {exc}") from None
        stream = _project.module_stream(raw)
        if decompress(stream) != raw:  # only a final raw chunk of binary-like text pads with NULs
            raise ValueError(f"module {module.name!r}: source does not survive MS-OVBA compression")
        streams[f"VBA/{module.name}"] = stream
    return write_compound_file(streams)


def _vba_project_bytes(data: bytes) -> bytes:
    """The ``vbaProject.bin`` bytes inside an OOXML zip, or *data* itself."""
    if data[:2] != b"PK":
        return data
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = [n for n in archive.namelist() if n.lower().endswith("vbaproject.bin")]
        if not names:
            raise ValueError("the workbook has no vbaProject.bin (it carries no macros)")
        return archive.read(sorted(names, key=len)[0])


def _streams(data: bytes) -> dict[str, bytes]:
    """Every stream of a compound file, by path (``VBA/dir``), read by olefile: a file from outside is never
    given to our own compound-file code, which only reads back what :func:`write_compound_file` wrote."""
    import olefile

    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            return {"/".join(entry): ole.openstream(entry).read() for entry in ole.listdir(streams=True)}
    except OSError as exc:
        raise ValueError(f"not a compound file: {exc}") from exc


def read_vba_modules(data: bytes) -> dict[str, str]:
    """Return ``{module name: source}`` for every module of a VBA project, in ``dir`` order.

    *data* is a ``vbaProject.bin`` (any compound file holding a VBA project
    storage, such as Excel writes or :func:`build_vba_project` makes), or a
    whole ``.xlsm`` / ``.xlam`` / ``.docm`` zip, whose ``vbaProject.bin`` is
    read. Each source is the stored text (with its ``Attribute`` lines and
    CRLF line ends), decompressed from the module stream at the offset the
    ``dir`` stream gives, so modules with a compiled performance cache are read
    too, and decoded with the project's code page (undecodable bytes become
    U+FFFD). Raises ValueError when no VBA project is found.

    Example:
        >>> read_vba_modules(build_vba_project([VbaModule("M", "Sub S()\\nEnd Sub")])) == {
        ...     "M": 'Attribute VB_Name = "M"\\r\\nSub S()\\r\\nEnd Sub\\r\\n'}
        True
    """
    streams = _streams(_vba_project_bytes(bytes(data)))
    folded = {path.lower(): path for path in streams}
    dir_paths = [p for p in streams
                 if p.lower().rsplit("/", 1)[-1] == "dir"
                 and p.lower()[:-3] + "_vba_project" in folded]
    if not dir_paths:
        raise ValueError("no VBA project storage (dir and _VBA_PROJECT streams) in this compound file")
    dir_path = sorted(dir_paths, key=len)[0]
    prefix = dir_path[:-3]
    info = _project.parse_dir_stream(decompress(streams[dir_path]))
    codec = _project.python_codec(info.codepage)
    modules: dict[str, str] = {}
    for module in info.modules:
        path = folded.get((prefix + module.stream_name).lower())
        if path is None:
            raise ValueError(f"module stream {module.stream_name!r} listed in dir is missing")
        source = decompress(streams[path][module.text_offset:])
        modules[module.name] = source.decode(codec, errors="replace")
    return modules
