"""A small writer and reader for Compound File Binary files ([MS-CFB]), version 3.

``vbaProject.bin`` is a compound file: a FAT file system inside one file, with
storages (folders) and streams. This module writes one from a mapping of stream
paths to bytes, and reads streams back, with the standard library only.

Why a homemade writer. The PyPI packages that write compound files were looked
at before writing this one (November 2026):

* ``olefile`` 0.47 reads, and only overwrites existing streams with data of the
  same size: it cannot create a file.
* ``cfb`` 0.9.3 and ``compoundfiles`` 0.3 read only.
* ``cfbwrite`` 1.0.1 writes sound V3 files, but is licensed AGPL-3.0-or-later
  (this project is BSD-3-Clause), is built around rewriting an existing file
  on disk and depends on olefile.
* ``ms-cfb`` 0.0.6 is a pre-release by the author of the broken ``ms-ovba``:
  its DIFAT support is marked "not fully implemented" and its header declares
  a MiniFAT sector even when there is none; it also pulls in PyYAML and a
  red-black-tree package.

What is written, and why it is what Excel expects:

* Version 3 (512-byte sectors, 64-byte mini sectors, mini stream cutoff
  4096), as Excel writes ``vbaProject.bin``.
* Streams shorter than 4096 bytes live in the mini stream (section 2.6.3), the
  others in regular sectors; the FAT, DIFAT (beyond 109 FAT sectors), MiniFAT
  and directory chains are laid out contiguously and sized by a fixpoint, so
  every sector number is known before anything is written.
* The siblings of each storage form a *valid* red-black tree (section 2.6.4):
  sorted by name length, then by upper-cased name; built balanced from the
  middle, with the deepest level red and every other node black, so every path
  from the root to a leaf crosses the same number of black nodes and no red
  node has a red child. (Excel also accepts degenerate all-black chains, which
  some writers produce, but readers that check the invariant reject them.)
* Timestamps and CLSIDs are zero, which the specification allows, so the
  output is a pure function of the input (reproducible builds).

Example:
    >>> data = write_compound_file({"PROJECT": b"Name=1", "VBA/dir": b"x" * 5000})
    >>> read_compound_file(data)["VBA/dir"] == b"x" * 5000
    True
"""

from __future__ import annotations

import struct
from collections.abc import Mapping

__all__ = ["write_compound_file", "read_compound_file", "SIGNATURE"]

SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_SECTOR = 512
_MINI_SECTOR = 64
_MINI_CUTOFF = 4096
_IDS_PER_SECTOR = _SECTOR // 4  # FAT / MiniFAT entries per sector
_DIFAT_IN_HEADER = 109
_DIR_ENTRY = 128

_DIFSECT = 0xFFFFFFFC
_FATSECT = 0xFFFFFFFD
_ENDOFCHAIN = 0xFFFFFFFE
_FREESECT = 0xFFFFFFFF
_NOSTREAM = 0xFFFFFFFF

_STORAGE, _STREAM, _ROOT = 1, 2, 5
_RED, _BLACK = 0, 1
_FORBIDDEN_NAME_CHARS = set("/\\:!")


class _Node:
    """A directory entry under construction."""

    def __init__(self, name: str, kind: int, data: bytes = b"") -> None:
        self.name = name
        self.kind = kind
        self.data = data
        self.children: dict[str, _Node] = {}  # upper-cased name -> node
        self.sid = 0
        self.left = self.right = self.child = _NOSTREAM
        self.color = _BLACK
        self.start = _ENDOFCHAIN
        self.size = 0


def _sort_key(name: str) -> tuple[int, str]:
    """Sibling order of [MS-CFB] 2.6.4: shorter names first, then upper-cased code points.

    Example:
        >>> sorted(["VBA", "PROJECTwm", "PROJECT"], key=_sort_key)
        ['VBA', 'PROJECT', 'PROJECTwm']
    """
    upper = "".join(c.upper() if len(c.upper()) == 1 else c for c in name)
    return (len(name.encode("utf-16-le")), upper)


def _color_tree(siblings: list[_Node]) -> int:
    """Link *siblings* (already sorted) as a balanced red-black tree; return its root sid.

    Example:
        >>> nodes = [_Node(n, _STREAM) for n in "abcd"]
        >>> for i, n in enumerate(nodes): n.sid = i
        >>> _color_tree(nodes), [n.color for n in nodes]
        (1, [1, 1, 1, 0])
    """
    depth: dict[int, int] = {}

    def build(lo: int, hi: int, d: int) -> int:
        if lo > hi:
            return _NOSTREAM
        mid = (lo + hi) // 2
        node = siblings[mid]
        depth[id(node)] = d
        node.left = build(lo, mid - 1, d + 1)
        node.right = build(mid + 1, hi, d + 1)
        return node.sid

    root = build(0, len(siblings) - 1, 0)
    deepest = max(depth.values(), default=0)
    for node in siblings:
        # A size-balanced tree has all its empty subtrees at depth `deepest`
        # or `deepest + 1`: painting the deepest level red (never the root)
        # equalises the black height of every path.
        node.color = _RED if deepest and depth[id(node)] == deepest else _BLACK
    return root


def _check_name(name: str) -> None:
    if not name or len(name.encode("utf-16-le")) > 62:
        raise ValueError(f"compound file entry name {name!r} must have 1 to 31 UTF-16 code units")
    if _FORBIDDEN_NAME_CHARS & set(name):
        raise ValueError(f"compound file entry name {name!r} contains one of / \\ : !")


def _build_tree(streams: Mapping[str, bytes]) -> tuple[_Node, list[_Node]]:
    root = _Node("Root Entry", _ROOT)
    for path, data in streams.items():
        parts = path.split("/")
        node = root
        for i, part in enumerate(parts):
            _check_name(part)
            last = i == len(parts) - 1
            key = _sort_key(part)[1]
            existing = node.children.get(key)
            if last:
                if existing is not None:
                    raise ValueError(f"duplicate compound file entry {path!r} (names are case-insensitive)")
                node.children[key] = _Node(part, _STREAM, bytes(data))
            else:
                if existing is None:
                    existing = node.children[key] = _Node(part, _STORAGE)
                elif existing.kind != _STORAGE:
                    raise ValueError(f"{path!r} puts a stream inside stream {part!r}")
                node = existing
    # Directory order: breadth-first, root first (any order is valid).
    order = [root]
    i = 0
    while i < len(order):
        order.extend(sorted(order[i].children.values(), key=lambda n: _sort_key(n.name)))
        i += 1
    for sid, node in enumerate(order):
        node.sid = sid
    for node in order:
        if node.children:
            node.child = _color_tree(sorted(node.children.values(), key=lambda n: _sort_key(n.name)))
    return root, order


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def _dir_entry(node: _Node | None) -> bytes:
    if node is None:  # unused entry: no name, no siblings, no child
        links = struct.pack("<HBBIII", 0, 0, 0, _NOSTREAM, _NOSTREAM, _NOSTREAM)
        return bytes(64) + links + bytes(16 + 4 + 16) + struct.pack("<IQ", 0, 0)
    name = node.name.encode("utf-16-le") + b"\x00\x00"
    return (name.ljust(64, b"\x00")
            + struct.pack("<HBBIII", len(name), node.kind, node.color, node.left, node.right, node.child)
            + bytes(16)  # CLSID
            + bytes(4)  # state bits
            + bytes(16)  # creation and modification times
            + struct.pack("<IQ", node.start if node.kind != _STORAGE else 0, node.size))


def write_compound_file(streams: Mapping[str, bytes]) -> bytes:
    """Return a version 3 compound file holding *streams*.

    Keys are ``/``-separated paths (``"VBA/dir"``); intermediate storages are
    created as needed. Names are case-insensitive and at most 31 characters.

    Example:
        >>> write_compound_file({"PROJECT": b"x"})[:8] == SIGNATURE
        True
    """
    root, order = _build_tree(streams)
    stream_nodes = [n for n in order if n.kind == _STREAM]
    small = [n for n in stream_nodes if len(n.data) < _MINI_CUTOFF]
    large = [n for n in stream_nodes if len(n.data) >= _MINI_CUTOFF]

    # Mini stream and MiniFAT.
    minifat: list[int] = []
    ministream = bytearray()
    for node in small:
        node.size = len(node.data)
        count = _ceil_div(node.size, _MINI_SECTOR)
        if count == 0:
            node.start = _ENDOFCHAIN
            continue
        node.start = len(minifat)
        minifat.extend(range(node.start + 1, node.start + count))
        minifat.append(_ENDOFCHAIN)
        ministream += node.data.ljust(count * _MINI_SECTOR, b"\x00")

    ministream_sectors = _ceil_div(len(ministream), _SECTOR)
    minifat_sectors = _ceil_div(len(minifat), _IDS_PER_SECTOR)
    dir_sectors = _ceil_div(len(order), _SECTOR // _DIR_ENTRY)
    large_sectors = [_ceil_div(len(n.data), _SECTOR) for n in large]
    payload = ministream_sectors + minifat_sectors + dir_sectors + sum(large_sectors)

    # FAT and DIFAT sizes depend on each other and on themselves: fixpoint.
    fat_sectors = difat_sectors = 0
    while True:
        need_fat = _ceil_div(payload + fat_sectors + difat_sectors, _IDS_PER_SECTOR)
        need_difat = _ceil_div(max(0, need_fat - _DIFAT_IN_HEADER), _IDS_PER_SECTOR - 1)
        if (need_fat, need_difat) == (fat_sectors, difat_sectors):
            break
        fat_sectors, difat_sectors = need_fat, need_difat

    # Sector layout: FAT, DIFAT, directory, MiniFAT, mini stream, large streams.
    fat = [_FREESECT] * (fat_sectors * _IDS_PER_SECTOR)
    cursor = 0

    def allocate(count: int, mark: int | None = None) -> int:
        nonlocal cursor
        if count == 0:
            return _ENDOFCHAIN
        first = cursor
        for s in range(first, first + count):
            fat[s] = mark if mark is not None else (s + 1 if s < first + count - 1 else _ENDOFCHAIN)
        cursor += count
        return first

    fat_start = allocate(fat_sectors, _FATSECT)
    difat_start = allocate(difat_sectors, _DIFSECT)
    dir_start = allocate(dir_sectors)
    minifat_start = allocate(minifat_sectors)
    ministream_start = allocate(ministream_sectors)
    for node, count in zip(large, large_sectors, strict=True):
        node.start = allocate(count)
        node.size = len(node.data)
    root.start = ministream_start
    root.size = len(ministream)

    fat_ids = list(range(fat_start, fat_start + fat_sectors)) if fat_sectors else []
    header_difat = fat_ids[:_DIFAT_IN_HEADER] + [_FREESECT] * (_DIFAT_IN_HEADER - min(len(fat_ids), _DIFAT_IN_HEADER))
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII",
        SIGNATURE, bytes(16), 0x003E, 0x0003, 0xFFFE, 9, 6, bytes(6),
        0,  # number of directory sectors: always 0 in version 3
        fat_sectors, dir_start, 0, _MINI_CUTOFF,
        minifat_start, minifat_sectors,
        difat_start if difat_sectors else _ENDOFCHAIN, difat_sectors,
    ) + struct.pack(f"<{_DIFAT_IN_HEADER}I", *header_difat)

    out = bytearray(header)
    out += struct.pack(f"<{len(fat)}I", *fat)
    rest = fat_ids[_DIFAT_IN_HEADER:]
    for i in range(difat_sectors):
        part = rest[i * (_IDS_PER_SECTOR - 1):(i + 1) * (_IDS_PER_SECTOR - 1)]
        part += [_FREESECT] * (_IDS_PER_SECTOR - 1 - len(part))
        nxt = difat_start + i + 1 if i + 1 < difat_sectors else _ENDOFCHAIN
        out += struct.pack(f"<{_IDS_PER_SECTOR}I", *part, nxt)
    directory = b"".join(_dir_entry(n) for n in order)
    directory += b"".join(_dir_entry(None) for _ in range(dir_sectors * 4 - len(order)))
    out += directory
    minifat_bytes = struct.pack(f"<{len(minifat)}I", *minifat)
    out += minifat_bytes.ljust(minifat_sectors * _SECTOR, b"\xff")
    out += bytes(ministream).ljust(ministream_sectors * _SECTOR, b"\x00")
    for node, count in zip(large, large_sectors, strict=True):
        out += node.data.ljust(count * _SECTOR, b"\x00")
    assert len(out) == _SECTOR * (1 + cursor)
    return bytes(out)


def read_compound_file(data: bytes) -> dict[str, bytes]:
    """Return every stream of the compound file *data*, keyed by ``/``-separated path.

    Reads versions 3 and 4. Raises ValueError when *data* is not a compound
    file or its chains are broken.

    Example:
        >>> read_compound_file(write_compound_file({"A/B": b"hi"}))
        {'A/B': b'hi'}
    """
    data = bytes(data)
    if len(data) < 512 or data[:8] != SIGNATURE:
        raise ValueError("not a compound file (bad signature)")
    (sector_shift, mini_shift) = struct.unpack_from("<HH", data, 30)
    (fat_count, dir_start, _txn, cutoff, minifat_start, minifat_count,
     difat_start, difat_count) = struct.unpack_from("<IIIIIIII", data, 44)
    sector = 1 << sector_shift
    mini = 1 << mini_shift
    if sector not in (512, 4096) or mini != 64:
        raise ValueError(f"unsupported sector sizes {sector}/{mini}")
    n_sectors = max(0, (len(data) - sector) // sector + (1 if (len(data) - sector) % sector else 0))

    def sector_bytes(sid: int) -> bytes:
        if sid >= n_sectors:
            raise ValueError(f"sector {sid} beyond the end of the file")
        off = (sid + 1) * sector
        return data[off:off + sector].ljust(sector, b"\x00")

    per = sector // 4
    fat_ids = list(struct.unpack_from("<109I", data, 76))
    sid = difat_start
    for _ in range(difat_count):
        if sid >= _DIFSECT:
            break
        values = struct.unpack(f"<{per}I", sector_bytes(sid))
        fat_ids.extend(values[:-1])
        sid = values[-1]
    fat_ids = [s for s in fat_ids if s < _DIFSECT][:fat_count]
    fat: list[int] = []
    for s in fat_ids:
        fat.extend(struct.unpack(f"<{per}I", sector_bytes(s)))

    def chain(start: int, table: list[int]) -> list[int]:
        result: list[int] = []
        s = start
        while s != _ENDOFCHAIN:
            if s >= len(table) or len(result) > len(table):
                raise ValueError(f"broken sector chain at {s}")
            result.append(s)
            s = table[s]
        return result

    def read_big(start: int, size: int | None) -> bytes:
        blob = b"".join(sector_bytes(s) for s in chain(start, fat))
        return blob if size is None else blob[:size]

    directory = read_big(dir_start, None)
    entries = []
    for off in range(0, len(directory) - _DIR_ENTRY + 1, _DIR_ENTRY):
        e = directory[off:off + _DIR_ENTRY]
        name_len, kind, _color, left, right, child = struct.unpack_from("<HBBIII", e, 64)
        start, size = struct.unpack_from("<IQ", e, 116)
        name = e[:max(0, name_len - 2)].decode("utf-16-le", errors="replace")
        if sector == 512:
            size &= 0xFFFFFFFF
        entries.append((name, kind, left, right, child, start, size))
    if not entries or entries[0][1] != _ROOT:
        raise ValueError("compound file has no root entry")
    minifat: list[int] = []
    if minifat_count and minifat_start != _ENDOFCHAIN:
        raw = read_big(minifat_start, None)
        minifat = list(struct.unpack(f"<{len(raw) // 4}I", raw))
    root = entries[0]
    ministream = read_big(root[5], root[6]) if root[5] != _ENDOFCHAIN and root[6] else b""

    def read_stream(start: int, size: int) -> bytes:
        if size == 0:
            return b""
        if size < cutoff:
            blob = b"".join(ministream[s * mini:(s + 1) * mini] for s in chain(start, minifat))
            return blob[:size]
        return read_big(start, size)

    result: dict[str, bytes] = {}
    seen: set[int] = set()

    def walk(sid: int, prefix: str) -> None:
        stack = [sid]
        while stack:
            s = stack.pop()
            if s == _NOSTREAM:
                continue
            if s >= len(entries) or s in seen:
                raise ValueError(f"broken directory tree at entry {s}")
            seen.add(s)
            name, kind, left, right, child, start, size = entries[s]
            stack.extend((left, right))
            if kind == _STREAM:
                result[prefix + name] = read_stream(start, size)
            elif kind == _STORAGE:
                walk(child, prefix + name + "/")

    walk(root[4], "")
    return result
