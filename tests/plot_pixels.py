#!/usr/bin/env python3
"""Where the highest cell's band peaks in a --plot picture rendered to PNG.

Reads the cells panel's box and time window from the SVG (the data-* of
<g id="cells">), decodes the PNG with zlib alone (no PIL), and per pixel
column of the panel finds the topmost red pixel (the highest cell's band).
Prints: the column the spike time maps to, the column with the tallest red,
how high in the panel its top is (percent of the panel's height), and the
first and last columns with red in the upper half of the panel.

  plot_pixels.py FILE.svg FILE.png SPIKE_MS
"""
import re
import struct
import sys
import zlib


def read_png(path):
    data = open(path, 'rb').read()
    assert data[:8] == b'\x89PNG\r\n\x1a\n', 'not a PNG'
    pos, idat = 8, b''
    while pos < len(data):
        n, kind = struct.unpack('>I4s', data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b'IHDR':
            w, h, depth, ctype = struct.unpack('>IIBB', body[:10])
        elif kind == b'IDAT':
            idat += body
        pos += 12 + n
    assert depth == 8 and ctype in (2, 6), 'want 8-bit RGB or RGBA'
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(idat)
    stride = w * bpp
    rows, prev, i = [], bytearray(stride), 0
    for _ in range(h):
        f = raw[i]
        line = bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if f == 1:
                line[x] = (line[x] + a) & 255
            elif f == 2:
                line[x] = (line[x] + b) & 255
            elif f == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pr = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[x] = (line[x] + pr) & 255
        rows.append(bytes(line))
        prev = line
    return w, h, bpp, rows


def main():
    svg, png, spike_ms = sys.argv[1], sys.argv[2], int(sys.argv[3])
    text = open(svg, encoding='utf-8').read()
    g = re.search(r'<g id="cells"([^>]*)/>', text).group(1)
    box = {k: int(v) for k, v in re.findall(r'data-([a-z-]+)="(\d+)"', g)}
    w, h, bpp, rows = read_png(png)
    x0, y0, bw, bh = box['x'], box['y'], box['w'], box['h']
    tops = {}
    for x in range(x0, x0 + bw):
        for y in range(y0, y0 + bh):
            r, g_, b = rows[y][x * bpp:x * bpp + 3]
            if r > 150 and g_ < 80 and b < 80:
                tops[x] = y
                break
    if not tops:
        print('no red at all')
        return 1
    want = x0 + (spike_ms - box['from-ms']) * bw // (box['to-ms'] - box['from-ms'])
    peak = min(tops, key=lambda x: tops[x])
    high = [x for x in tops if tops[x] < y0 + bh // 2] or [0]
    print(want, peak, (y0 + bh - tops[peak]) * 100 // bh, min(high), max(high))
    return 0


sys.exit(main())
