"""The ``zip`` generator: a ZIP archive of nested generated files (spec/actions.md §16.6).

Without a password the archive is written with ``zipfile`` (deflated). With a
password, entries use traditional PKWARE encryption ("ZipCrypto", PKWARE
APPNOTE 6.3.x section 6.1), which ``zipfile`` can read but not write, so this
module carries a small writer of its own. ZipCrypto is weak by today's
standards; it is what Mechanic's documentation names and what every unzip tool
opens.
"""

import os
import struct
import time
import zipfile
import zlib
from io import BytesIO
from typing import Any

from tasks_app.files.errors import FileGeneratorError

UTF8_NAMES = 0x800
ENCRYPTED = 0x1


def validate(options: Any, path: tuple[str, ...]) -> None:
    """``{"files": {name: generator}, "password": str?}``; nested maps are checked too."""
    from tasks_app.files import validate_file_map

    if not isinstance(options, dict):
        raise FileGeneratorError(path, 'the zip generator takes an object with "files"')
    unknown = sorted(set(options) - {"files", "password"})
    if unknown:
        raise FileGeneratorError(path, f'the zip generator does not take "{unknown[0]}"')
    if not isinstance(options.get("files"), dict):
        raise FileGeneratorError(path, 'the zip generator needs "files", an object of name → file generator')
    password = options.get("password")
    if password is not None and not isinstance(password, str):
        raise FileGeneratorError(path, 'the zip "password" must be a string')
    for name in options["files"]:
        segments = name.replace("\\", "/").split("/")
        if name.startswith("/") or "\\" in name or ".." in segments or "" in segments:
            raise FileGeneratorError(
                (*path, name), "ZIP entry names are relative paths with / between non-empty folder names"
            )
    validate_file_map(options["files"], path)


def dos_datetime(timestamp: float) -> tuple[int, int]:
    """``(time, date)`` in MS-DOS format for a local timestamp (2-second resolution, from 1980)."""
    moment = time.localtime(max(timestamp, 315532800))
    dos_time = (moment.tm_hour << 11) | (moment.tm_min << 5) | (moment.tm_sec // 2)
    dos_date = ((moment.tm_year - 1980) << 9) | (moment.tm_mon << 5) | moment.tm_mday
    return dos_time, dos_date


def _crc_table() -> list[int]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xEDB88320 if crc & 1 else crc >> 1
        table.append(crc)
    return table


CRC_TABLE = _crc_table()


class ZipCrypto:
    """The traditional PKWARE stream cipher keyed by a password (APPNOTE section 6.1.5–6.1.6)."""

    def __init__(self, password: bytes) -> None:
        self.keys = [0x12345678, 0x23456789, 0x34567890]
        for byte in password:
            self._update(byte)

    def _update(self, byte: int) -> None:
        k0, k1, k2 = self.keys
        k0 = CRC_TABLE[(k0 ^ byte) & 0xFF] ^ (k0 >> 8)
        k1 = ((k1 + (k0 & 0xFF)) * 134775813 + 1) & 0xFFFFFFFF
        k2 = CRC_TABLE[(k2 ^ (k1 >> 24)) & 0xFF] ^ (k2 >> 8)
        self.keys = [k0, k1, k2]

    def encrypt(self, data: bytes) -> bytes:
        """Encrypt ``data``, advancing the cipher state (header first, then the file data)."""
        out = bytearray(len(data))
        k0, k1, k2 = self.keys
        table = CRC_TABLE
        for index, byte in enumerate(data):
            temp = (k2 | 2) & 0xFFFF
            out[index] = byte ^ (((temp * (temp ^ 1)) >> 8) & 0xFF)
            k0 = table[(k0 ^ byte) & 0xFF] ^ (k0 >> 8)
            k1 = ((k1 + (k0 & 0xFF)) * 134775813 + 1) & 0xFFFFFFFF
            k2 = table[(k2 ^ (k1 >> 24)) & 0xFF] ^ (k2 >> 8)
        self.keys = [k0, k1, k2]
        return bytes(out)


def build_encrypted_zip(
    entries: list[tuple[str, bytes]], password: str, *, timestamp: float | None = None
) -> bytes:
    """A ZIP archive of ``entries`` (name, content), each deflated and ZipCrypto-encrypted."""
    dos_time, dos_date = dos_datetime(time.time() if timestamp is None else timestamp)
    out, central = BytesIO(), BytesIO()
    for name, content in entries:
        encoded_name = name.encode("utf-8")
        flags = ENCRYPTED | (0 if name.isascii() else UTF8_NAMES)
        crc = zlib.crc32(content)
        compressor = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
        compressed = compressor.compress(content) + compressor.flush()
        cipher = ZipCrypto(password.encode("utf-8"))
        # 11 random bytes, then the CRC's high byte, which unzip tools use to check the password.
        header = cipher.encrypt(os.urandom(11) + bytes([crc >> 24]))
        payload = header + cipher.encrypt(compressed)
        offset = out.tell()
        fields = (20, flags, zipfile.ZIP_DEFLATED, dos_time, dos_date, crc, len(payload), len(content))
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, *fields, len(encoded_name), 0))
        out.write(encoded_name)
        out.write(payload)
        central.write(
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                0x02014B50,
                20,
                *fields,
                len(encoded_name),
                0,
                0,
                0,
                0,
                0o100644 << 16,
                offset,
            )
        )
        central.write(encoded_name)
    directory = central.getvalue()
    start = out.tell()
    out.write(directory)
    out.write(
        struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(directory), start, 0)
    )
    return out.getvalue()


def build_zip(entries: list[tuple[str, bytes]]) -> bytes:
    """A plain (unencrypted, deflated) ZIP archive of ``entries``."""
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries:
            info = zipfile.ZipInfo(name, date_time=time.localtime()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o100644 << 16
            archive.writestr(info, content)
    return buffer.getvalue()


def generate(name: str, options: dict, *, shop: Any, path: tuple[str, ...]):
    """Generate the inner files (each limited to 20 MB), then the archive (``application/zip``)."""
    from tasks_app.files import GeneratedFile, generate_files

    inner = generate_files(options["files"], shop=shop, path=path)
    entries = [(item.name, item.content) for item in inner]
    password = options.get("password")
    data = build_encrypted_zip(entries, password) if password else build_zip(entries)
    return GeneratedFile(name, data, "application/zip")
