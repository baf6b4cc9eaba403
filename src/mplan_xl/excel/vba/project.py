"""The streams of a VBA project storage ([MS-OVBA] section 2.2), written and parsed.

A ``vbaProject.bin`` holds, in a compound file:

``PROJECT``
    Text properties of the project (section 2.3.1): its ID, one line per
    module (``Document=``, ``Module=``, ``Class=``), name, protection fields and
    the ``[Host Extender Info]`` and ``[Workspace]`` sections.
``PROJECTwm``
    The module names in MBCS and UTF-16 (section 2.3.3).
``VBA/_VBA_PROJECT``
    Seven bytes: version 0xFFFF and no performance cache, which the
    specification requires of writers (section 2.3.4.1) and which makes the
    VBA host compile the project from source on opening.
``VBA/dir``
    The compressed binary description of the project (section 2.3.4.2):
    PROJECTINFORMATION, PROJECTREFERENCES (here the stdole ``OLE Automation``
    type library that every Excel project references) and PROJECTMODULES.
``VBA/<module>``
    One stream per module: source-only modules, as the specification requires
    when writing -- the compressed source at offset 0 (MODULEOFFSET 0) and no
    performance cache (section 2.3.4.3).

Everything here is deterministic: the project ID is derived from the project
and module names, and the seeds of the CMG/DPB/GC obfuscation (section 2.4.3,
which protects nothing: it only hides the bytes from a casual look) from the
project ID, so the same modules always give the same bytes.

Example:
    >>> info = parse_dir_stream(dir_stream("VBAProject", 1252, [("Module1", "standard")]))
    >>> info.codepage, [m.name for m in info.modules]
    (1252, ['Module1'])
"""

from __future__ import annotations

import hashlib
import struct
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from .compression import compress

__all__ = [
    "VBA_PROJECT_STREAM",
    "STDOLE_LIBID",
    "project_id_for",
    "encrypt_data",
    "decrypt_data",
    "dir_stream",
    "project_stream",
    "projectwm_stream",
    "module_stream",
    "parse_dir_stream",
    "DirInfo",
    "DirModule",
    "python_codec",
]

#: Reserved1 0x61CC, Version 0xFFFF, Reserved2 0x00, Reserved3 0x0001, no PerformanceCache
#: (section 2.3.4.1 and the example of section 3.1.1).
VBA_PROJECT_STREAM = b"\xcc\x61\xff\xff\x00\x01\x00"

#: The OLE Automation type library (stdole2.tlb) every Excel VBA project references.
STDOLE_LIBID = "*\\G{00020430-0000-0000-C000-000000000046}#2.0#0#C:\\Windows\\System32\\stdole2.tlb#OLE Automation"

#: ``[Host Extender Info]`` line that Excel writes (section 2.3.1.18).
HOST_EXTENDER = "&H00000001={3832D640-CF90-11CF-8E43-00A0C911005A};VBE;&H00000000"

_KINDS = ("standard", "class", "document")
_SYSKIND_WIN32 = 0x00000001
_LCID_EN_US = 0x0409
_NAMESPACE = uuid.UUID("6f1d3a52-6a0e-4c55-9a3e-2b8c7d0b1a11")  # this writer's own namespace


def python_codec(codepage: int) -> str:
    """Python codec name for a Windows code page number.

    Example:
        >>> python_codec(1252), python_codec(65001), python_codec(10000)
        ('cp1252', 'utf-8', 'mac_roman')
    """
    special = {65001: "utf-8", 10000: "mac_roman", 20127: "ascii", 28591: "latin_1"}
    name = special.get(codepage, f"cp{codepage}")
    try:
        "".encode(name)
    except LookupError:
        raise ValueError(f"code page {codepage} is not supported by Python's codecs") from None
    return name


def project_id_for(project_name: str, module_names: Sequence[str]) -> str:
    """The project's ID GUID, derived from its name and module names (stable across builds).

    Example:
        >>> project_id_for("VBAProject", ["Module1"])[0], len(project_id_for("VBAProject", ["Module1"]))
        ('{', 38)
    """
    key = "\x00".join([project_name, *module_names])
    return "{" + str(uuid.uuid5(_NAMESPACE, key)).upper() + "}"


# --- Data encryption (section 2.4.3) -------------------------------------------------


def encrypt_data(project_id: str, data: bytes, seed: int, ignored: bytes = b"") -> str:
    """Obfuscate *data* as the hex string of the Encrypted Data Structure (section 2.4.3.2).

    *seed* is the specification's random seed byte; ``(seed & 6) >> 1`` bytes
    of *ignored* are used (padded with zeros when shorter).

    Example:
        >>> encrypt_data("{5CF9CDAB-B77B-4FE4-BD7E-D29900070E1B}", b"\\x00", 0x8D, bytes([169, 219]))
        '8D8FA61394EF95EF95EF'
    """
    version = 2
    proj_key = sum(project_id.encode("ascii")) & 0xFF
    version_enc = seed ^ version
    proj_key_enc = seed ^ proj_key
    out = bytearray([seed, version_enc, proj_key_enc])
    unencrypted1, encrypted1, encrypted2 = proj_key, proj_key_enc, version_enc

    def put(byte: int) -> None:
        nonlocal unencrypted1, encrypted1, encrypted2
        byte_enc = byte ^ ((encrypted2 + unencrypted1) & 0xFF)
        out.append(byte_enc)
        encrypted2, encrypted1, unencrypted1 = encrypted1, byte_enc, byte

    ignored_length = (seed & 6) >> 1
    for b in ignored.ljust(ignored_length, b"\x00")[:ignored_length]:
        put(b)
    for b in struct.pack("<I", len(data)):
        put(b)
    for b in data:
        put(b)
    return out.hex().upper()


def decrypt_data(text: str, project_id: str | None = None) -> bytes:
    """Reverse :func:`encrypt_data` (section 2.4.3.3); check the version and, if given, the project key.

    Example:
        >>> decrypt_data("8D8FA61394EF95EF9510")
        b'\\xff'
    """
    raw = bytes.fromhex(text)
    if len(raw) < 7:
        raise ValueError("encrypted data too short")
    seed, version_enc, proj_key_enc = raw[0], raw[1], raw[2]
    if seed ^ version_enc != 2:
        raise ValueError(f"encryption version {seed ^ version_enc} is not 2")
    proj_key = seed ^ proj_key_enc
    if project_id is not None and proj_key != sum(project_id.encode("ascii")) & 0xFF:
        raise ValueError("project key does not match the project ID")
    unencrypted1, encrypted1, encrypted2 = proj_key, proj_key_enc, version_enc
    pos = 3

    def get() -> int:
        nonlocal unencrypted1, encrypted1, encrypted2, pos
        if pos >= len(raw):
            raise ValueError("encrypted data truncated")
        byte_enc = raw[pos]
        pos += 1
        byte = byte_enc ^ ((encrypted2 + unencrypted1) & 0xFF)
        encrypted2, encrypted1, unencrypted1 = encrypted1, byte_enc, byte
        return byte

    for _ in range((seed & 6) >> 1):
        get()
    length = int.from_bytes(bytes(get() for _ in range(4)), "little")
    data = bytes(get() for _ in range(length))
    if pos != len(raw):
        raise ValueError("trailing bytes after the encrypted data")
    return data


def _seed_bytes(project_id: str, label: str) -> bytes:
    return hashlib.sha256(f"{project_id}/{label}".encode("ascii")).digest()


# --- dir stream (section 2.3.4.2) --------------------------------------------------------


def _record(record_id: int, payload: bytes) -> bytes:
    return struct.pack("<HI", record_id, len(payload)) + payload


def _mbcs(text: str, codec: str, what: str) -> bytes:
    try:
        return text.encode(codec)
    except UnicodeEncodeError as exc:
        raise ValueError(f"{what} {text!r} cannot be encoded in {codec}: {exc}") from None


def dir_stream(project_name: str, codepage: int, modules: Sequence[tuple[str, str]]) -> bytes:
    """The uncompressed ``dir`` stream for *modules*, a sequence of ``(name, kind)``.

    *kind* is ``"standard"`` (MODULETYPE 0x0021, procedural) or ``"class"`` /
    ``"document"`` (0x0022). Stream names equal module names; every module's
    source is at offset 0 of its stream.

    Example:
        >>> dir_stream("VBAProject", 1252, [])[:10].hex(" ")
        '01 00 04 00 00 00 01 00 00 00'
    """
    codec = python_codec(codepage)
    name = _mbcs(project_name, codec, "project name")
    if not 1 <= len(name) <= 128:
        raise ValueError("the project name must be 1 to 128 bytes long")
    out = bytearray()
    # PROJECTINFORMATION (section 2.3.4.2.1)
    out += _record(0x0001, struct.pack("<I", _SYSKIND_WIN32))  # PROJECTSYSKIND
    out += _record(0x0002, struct.pack("<I", _LCID_EN_US))  # PROJECTLCID
    out += _record(0x0014, struct.pack("<I", _LCID_EN_US))  # PROJECTLCIDINVOKE
    out += _record(0x0003, struct.pack("<H", codepage))  # PROJECTCODEPAGE
    out += _record(0x0004, name)  # PROJECTNAME
    out += _record(0x0005, b"") + _record(0x0040, b"")  # PROJECTDOCSTRING (+ Unicode)
    out += _record(0x0006, b"") + _record(0x003D, b"")  # PROJECTHELPFILEPATH (1 and 2)
    out += _record(0x0007, struct.pack("<I", 0))  # PROJECTHELPCONTEXT
    out += _record(0x0008, struct.pack("<I", 0))  # PROJECTLIBFLAGS
    out += struct.pack("<HIIH", 0x0009, 4, 1, 0)  # PROJECTVERSION: Reserved 4, major 1, minor 0
    out += _record(0x000C, b"") + _record(0x003C, b"")  # PROJECTCONSTANTS (+ Unicode)
    # PROJECTREFERENCES (section 2.3.4.2.2): stdole
    out += _record(0x0016, b"stdole") + _record(0x003E, "stdole".encode("utf-16-le"))  # REFERENCENAME
    libid = STDOLE_LIBID.encode("ascii")
    out += _record(0x000D, struct.pack("<I", len(libid)) + libid + struct.pack("<IH", 0, 0))  # REFERENCEREGISTERED
    # PROJECTMODULES (section 2.3.4.2.3)
    out += _record(0x000F, struct.pack("<H", len(modules)))
    out += _record(0x0013, struct.pack("<H", 0xFFFF))  # PROJECTCOOKIE
    for module_name, kind in modules:
        if kind not in _KINDS:
            raise ValueError(f"module kind must be one of {_KINDS}, not {kind!r}")
        mbcs = _mbcs(module_name, codec, "module name")
        utf16 = module_name.encode("utf-16-le")
        out += _record(0x0019, mbcs)  # MODULENAME
        out += _record(0x0047, utf16)  # MODULENAMEUNICODE
        out += _record(0x001A, mbcs) + _record(0x0032, utf16)  # MODULESTREAMNAME
        out += _record(0x001C, b"") + _record(0x0048, b"")  # MODULEDOCSTRING
        out += _record(0x0031, struct.pack("<I", 0))  # MODULEOFFSET: source-only module
        out += _record(0x001E, struct.pack("<I", 0))  # MODULEHELPCONTEXT
        out += _record(0x002C, struct.pack("<H", 0xFFFF))  # MODULECOOKIE
        out += _record(0x0021 if kind == "standard" else 0x0022, b"")  # MODULETYPE
        out += _record(0x002B, b"")  # Terminator
    out += _record(0x0010, b"")  # dir stream Terminator
    return bytes(out)


@dataclass
class DirModule:
    """One MODULE record of a parsed ``dir`` stream."""

    name: str
    stream_name: str
    text_offset: int
    procedural: bool
    extra: dict[int, bytes] = field(default_factory=dict)


@dataclass
class DirInfo:
    """What :func:`parse_dir_stream` returns: the code page, project name, references and modules."""

    codepage: int
    project_name: str
    references: list[str]
    modules: list[DirModule]


def parse_dir_stream(data: bytes) -> DirInfo:
    """Parse an uncompressed ``dir`` stream (records of id, size, payload; section 2.3.4.2).

    Unicode names are preferred to MBCS ones when present.

    Example:
        >>> parse_dir_stream(dir_stream("P", 1252, [("A", "class")])).modules[0].procedural
        False
    """
    pos = 0
    codepage = 1252
    project_name = ""
    references: list[str] = []
    modules: list[DirModule] = []
    current: dict[int, bytes] | None = None
    n = len(data)
    while pos + 6 <= n:
        record_id, size = struct.unpack_from("<HI", data, pos)
        pos += 6
        if record_id == 0x0009:  # PROJECTVERSION: Reserved is 4 but 6 bytes follow
            size = 6
        if pos + size > n:
            raise ValueError(f"dir record 0x{record_id:04X} runs past the end of the stream")
        payload = data[pos:pos + size]
        pos += size
        if record_id == 0x0010:
            break
        if record_id == 0x0003:
            codepage = struct.unpack("<H", payload)[0]
        elif record_id == 0x0004:
            project_name = payload.decode(python_codec(codepage), errors="replace")
        elif record_id == 0x0016:
            references.append(payload.decode(python_codec(codepage), errors="replace"))
        elif record_id == 0x0019:
            current = {0x0019: payload}
        elif current is not None:
            current.setdefault(record_id, payload)
            if record_id == 0x002B:
                codec = python_codec(codepage)
                name = (current[0x0047].decode("utf-16-le") if 0x0047 in current
                        else current[0x0019].decode(codec, errors="replace"))
                stream = (current[0x0032].decode("utf-16-le") if current.get(0x0032)
                          else current.get(0x001A, current[0x0019]).decode(codec, errors="replace"))
                offset = struct.unpack("<I", current[0x0031])[0] if 0x0031 in current else 0
                modules.append(DirModule(name, stream, offset, 0x0021 in current, current))
                current = None
    return DirInfo(codepage, project_name, references, modules)


# --- PROJECT and PROJECTwm streams (sections 2.3.1 and 2.3.3) --------------------------------


def project_stream(project_id: str, project_name: str, codepage: int,
                   modules: Sequence[tuple[str, str]]) -> bytes:
    """The ``PROJECT`` stream text for *modules* (``(name, kind)`` pairs), encoded in *codepage*.

    CMG says the project is not protected (ProjectProtectionState 0), DPB that
    it has no password (one byte 0x00), GC that it is visible (one byte 0xFF);
    each is obfuscated per section 2.4.3 with a seed derived from the ID.

    Example:
        >>> text = project_stream("{00000000-0000-0000-0000-000000000000}", "VBAProject", 1252,
        ...                       [("ThisWorkbook", "document")]).decode("cp1252")
        >>> text.splitlines()[1]
        'Document=ThisWorkbook/&H00000000'
    """
    codec = python_codec(codepage)
    lines = [f'ID="{project_id}"']
    for name, kind in modules:
        if kind == "document":
            lines.append(f"Document={name}/&H00000000")
        elif kind == "class":
            lines.append(f"Class={name}")
        else:
            lines.append(f"Module={name}")
    fields = []
    for label, data in (("CMG", b"\x00\x00\x00\x00"), ("DPB", b"\x00"), ("GC", b"\xff")):
        noise = _seed_bytes(project_id, label)
        fields.append(f'{label}="{encrypt_data(project_id, data, noise[0], noise[1:4])}"')
    lines += [
        f'Name="{project_name}"',
        'HelpContextID="0"',
        'VersionCompatible32="393222000"',
        *fields,
        "",
        "[Host Extender Info]",
        HOST_EXTENDER,
        "",
        "[Workspace]",
        *(f"{name}=0, 0, 0, 0, C" for name, _ in modules),
    ]
    return _mbcs("\r\n".join(lines) + "\r\n", codec, "PROJECT stream text")


def projectwm_stream(codepage: int, module_names: Sequence[str]) -> bytes:
    """The ``PROJECTwm`` stream: each name in MBCS and UTF-16, NUL-terminated (section 2.3.3).

    Example:
        >>> projectwm_stream(1252, ["M"])
        b'M\\x00M\\x00\\x00\\x00\\x00\\x00'
    """
    codec = python_codec(codepage)
    out = bytearray()
    for name in module_names:
        out += _mbcs(name, codec, "module name") + b"\x00"
        out += name.encode("utf-16-le") + b"\x00\x00"
    out += b"\x00\x00"
    return bytes(out)


def module_stream(source: bytes) -> bytes:
    """A source-only module stream: the compressed *source* at offset 0, no performance cache.

    Example:
        >>> module_stream(b"Attribute VB_Name = \\"M\\"\\r\\n")[:1]
        b'\\x01'
    """
    return compress(source)
