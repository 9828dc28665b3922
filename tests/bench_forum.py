#!/usr/bin/env python3
# bench_forum.py: the decoding loop of a typical forum Python reader for the
# Chargery BMS, kept faithful to how such scripts are written (byte-wise
# header hunt, struct.unpack per field, a print per value), run on a
# capture file instead of a serial port. `make bench` times it against
# chargery-top --json on the same capture. Not part of chargery-top.
#
#   bench_forum.py CAPTURE > /dev/null
import struct
import sys


def checksum_ok(frame):
    return sum(frame[:-1]) & 0xFF == frame[-1]


def decode_cells(frame):
    n = (len(frame) - 13) // 2 if len(frame) % 2 == 1 else (len(frame) - 6) // 2
    cells = []
    for i in range(n):
        (mv,) = struct.unpack(">H", frame[4 + 2 * i:6 + 2 * i])
        cells.append(mv / 1000.0)
    for i, v in enumerate(cells):
        print("Cell %d: %.3f V" % (i + 1, v))
    if len(frame) % 2 == 1:
        wh, ah = struct.unpack("<II", frame[4 + 2 * n:12 + 2 * n])
        print("Energy: %.3f Wh" % (wh / 1000.0))
        print("Charge: %.3f Ah" % (ah / 1000.0))
    print("Max: %.3f V Min: %.3f V Delta: %d mV" % (
        max(cells), min(cells), round((max(cells) - min(cells)) * 1000)))


def decode_status(frame):
    end_mv, mode, amps, t1, t2, soc = struct.unpack(">HBHhhB", frame[4:14])
    current = amps / 10.0
    if mode == 0:
        current = -current
    print("Charge end: %.3f V" % (end_mv / 1000.0))
    print("Mode: %s" % {0: "discharge", 1: "charge", 2: "storage"}.get(mode, "?"))
    print("Current: %.1f A" % current)
    print("Temp1: %.1f C Temp2: %.1f C" % (t1 / 10.0, t2 / 10.0))
    print("SOC: %d %%" % soc)
    if len(frame) == 19:
        dis_mv, cprot, dprot = struct.unpack(">HBB", frame[14:18])
        print("Discharge end: %.3f V" % (dis_mv / 1000.0))
        print("Protection: charge %d discharge %d" % (cprot, dprot))


def decode_impedance(frame):
    mode, amps = struct.unpack("<BH", frame[4:7])
    n = (len(frame) - 8) // 2
    print("Mode: %d Current: %.1f A" % (mode, amps / 10.0))
    for i in range(n):
        (r,) = struct.unpack("<H", frame[7 + 2 * i:9 + 2 * i])
        print("Cell %d: %.1f mOhm" % (i + 1, r / 10.0))


LENGTHS = {0x56: (29, 38, 45, 61), 0x57: (15, 19), 0x58: tuple(range(10, 57, 2))}


def main():
    with open(sys.argv[1], "rb") as f:
        data = f.read()
    i = 0
    good = 0
    while i < len(data) - 4:
        if data[i] != 0x24 or data[i + 1] != 0x24:
            i += 1
            continue
        cmd = data[i + 2]
        length = data[i + 3]
        if cmd not in LENGTHS or length not in LENGTHS[cmd]:
            i += 1
            continue
        frame = data[i:i + length]
        if len(frame) < length or not checksum_ok(frame):
            i += 1
            continue
        if cmd == 0x56:
            decode_cells(frame)
        elif cmd == 0x57:
            decode_status(frame)
        else:
            decode_impedance(frame)
        good += 1
        i += length
    print("frames: %d" % good, file=sys.stderr)


if __name__ == "__main__":
    main()
