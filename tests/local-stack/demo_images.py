"""Images generated here, so nothing is downloaded: the gallery's demo
pictures and the loading benchmark's large ones."""

import random
import struct
import zlib


def png(width, height, rows):
    """A truecolour PNG of `rows` (each `width` RGB pixels as bytes)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + row for row in rows)  # filter type 0 on every row
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b"")


def gradient(width, height, index):
    """A diagonal gradient whose colours depend on `index`, so each demo image differs."""
    start = ((index * 97) % 200, (index * 53 + 80) % 200, (index * 29 + 160) % 200)
    end = (255 - start[1], 255 - start[2], 255 - start[0])
    rows = []
    for y in range(height):
        row = bytearray()
        for x in range(width):
            t = (x + y) / (width + height - 2)
            row += bytes(round(a + (b - a) * t) for a, b in zip(start, end))
        rows.append(bytes(row))
    return png(width, height, rows)


def noise(width, height, seed):
    """Random pixels: PNG cannot compress them, so the file is about 3 bytes a pixel."""
    rng = random.Random(seed)
    return png(width, height, [rng.randbytes(width * 3) for _ in range(height)])
