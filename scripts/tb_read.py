#!/usr/bin/python3
"""Decode TensorBoard event files with nothing but Python's standard library.

    tb_read.py [--lines] PATH [PATH ...]    PATH: an events.out.tfevents.* file, or a directory searched for them

Prints a JSON list of events, one object per record, in file order:
    {"file": ..., "offset": ..., "wall_time": ..., "step": ..., and one of
     "file_version": "brain.Event:2" | "summary": [values] | "session_log": {"status": N}}
where each summary value is {"tag", and "simple_value" (float) or "tensor" {"dtype", "shape", "string_val"},
plus "plugin_name" when the value carries summary metadata}.

--lines prints one tab-separated line per event instead (strings JSON-quoted, numbers as Python's repr):
    version <step> <wall_time> <file_version>
    scalar <step> <wall_time> <tag> <simple_value>
    text <step> <wall_time> <tag> <plugin_name> <dtype> <shape> <string_val[0]>
    session_log <step> <wall_time> <status>

Every record's two CRCs (masked CRC-32C of the length bytes and of the data) are verified; a bad CRC or a truncated
record is an error (exit 1) naming the file and the byte offset. This is an independent check of curlrl's writer
(core/tensorboard.cpp): it shares no code with it.
"""

import json
import os
import struct
import sys


def _crc32c_bitwise(data):
    """CRC-32C computed bit by bit (no table), reflected polynomial 0x82F63B78."""
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
    return crc ^ 0xFFFFFFFF


def masked_crc(data):
    crc = _crc32c_bitwise(data)
    return ((((crc >> 15) | (crc << 17)) & 0xFFFFFFFF) + 0xA282EAD8) & 0xFFFFFFFF


class DecodeError(Exception):
    pass


def read_records(path):
    """Yields (offset, data) for each TFRecord of the file, checking both CRCs."""
    with open(path, "rb") as f:
        blob = f.read()
    pos = 0
    while pos < len(blob):
        if len(blob) - pos < 12:
            raise DecodeError(f"{path}: truncated record header at offset {pos}")
        length_bytes = blob[pos:pos + 8]
        (length,) = struct.unpack("<Q", length_bytes)
        (length_crc,) = struct.unpack("<I", blob[pos + 8:pos + 12])
        if masked_crc(length_bytes) != length_crc:
            raise DecodeError(f"{path}: bad length CRC at offset {pos}")
        start = pos + 12
        if len(blob) - start < length + 4:
            raise DecodeError(f"{path}: truncated record data at offset {pos}")
        data = blob[start:start + length]
        (data_crc,) = struct.unpack("<I", blob[start + length:start + length + 4])
        if masked_crc(data) != data_crc:
            raise DecodeError(f"{path}: bad data CRC at offset {pos}")
        yield pos, data
        pos = start + length + 4


# --- protobuf wire format -------------------------------------------------------------------------------------

def _varint(buf, pos):
    result = 0
    shift = 0
    while True:
        if pos >= len(buf):
            raise DecodeError("truncated varint")
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, pos
        shift += 7
        if shift > 63:
            raise DecodeError("varint too long")


def fields(buf):
    """Yields (field_number, wire_type, value) of a serialized message; value is int (varint), bytes (length-
    delimited) or raw bytes of 8/4 bytes (fixed64/fixed32)."""
    pos = 0
    while pos < len(buf):
        key, pos = _varint(buf, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _varint(buf, pos)
        elif wire == 1:
            value, pos = buf[pos:pos + 8], pos + 8
        elif wire == 2:
            n, pos = _varint(buf, pos)
            value, pos = buf[pos:pos + n], pos + n
        elif wire == 5:
            value, pos = buf[pos:pos + 4], pos + 4
        else:
            raise DecodeError(f"unsupported wire type {wire}")
        if pos > len(buf):
            raise DecodeError("truncated field")
        yield number, wire, value


def _int64(v):
    return v - (1 << 64) if v >= (1 << 63) else v


def decode_tensor(buf):
    tensor = {"dtype": 0, "shape": [], "string_val": []}
    for number, _, value in fields(buf):
        if number == 1:
            tensor["dtype"] = value
        elif number == 2:  # TensorShapeProto: repeated Dim dim = 2 { int64 size = 1 }
            for dn, _, dim in fields(value):
                if dn == 2:
                    size = 0
                    for sn, _, sv in fields(dim):
                        if sn == 1:
                            size = _int64(sv)
                    tensor["shape"].append(size)
        elif number == 8:
            tensor["string_val"].append(value.decode("utf-8"))
    return tensor


def decode_value(buf):
    out = {}
    for number, wire, value in fields(buf):
        if number == 1:
            out["tag"] = value.decode("utf-8")
        elif number == 2 and wire == 5:
            out["simple_value"] = struct.unpack("<f", value)[0]
        elif number == 8:
            out["tensor"] = decode_tensor(value)
        elif number == 9:  # SummaryMetadata { PluginData plugin_data = 1 { string plugin_name = 1 } }
            for mn, _, mv in fields(value):
                if mn == 1:
                    for pn, _, pv in fields(mv):
                        if pn == 1:
                            out["plugin_name"] = pv.decode("utf-8")
    return out


def decode_event(buf):
    event = {}
    for number, wire, value in fields(buf):
        if number == 1 and wire == 1:
            event["wall_time"] = struct.unpack("<d", value)[0]
        elif number == 2 and wire == 0:
            event["step"] = _int64(value)
        elif number == 3:
            event["file_version"] = value.decode("utf-8")
        elif number == 5:
            event["summary"] = [decode_value(v) for n, _, v in fields(value) if n == 1]
        elif number == 7:
            event["session_log"] = {"status": next((v for n, _, v in fields(value) if n == 1), 0)}
    event.setdefault("wall_time", 0.0)
    event.setdefault("step", 0)
    return event


def event_files(paths):
    for p in paths:
        if os.path.isdir(p):
            for root, _, names in sorted(os.walk(p)):
                for name in sorted(names):
                    if "tfevents" in name:
                        yield os.path.join(root, name)
        else:
            yield p


def as_lines(events):
    lines = []
    for e in events:
        head = [repr(e["step"]), repr(e["wall_time"])]
        if "file_version" in e:
            lines.append(["version"] + head + [json.dumps(e["file_version"])])
        elif "session_log" in e:
            lines.append(["session_log"] + head + [repr(e["session_log"]["status"])])
        for v in e.get("summary", []):
            tag = json.dumps(v.get("tag", ""))
            if "simple_value" in v:
                lines.append(["scalar"] + head + [tag, repr(v["simple_value"])])
            elif "tensor" in v:
                t = v["tensor"]
                text = t["string_val"][0] if t["string_val"] else ""
                lines.append(["text"] + head + [tag, json.dumps(v.get("plugin_name", "")), repr(t["dtype"]),
                                                json.dumps(t["shape"]), json.dumps(text)])
    return "\n".join("\t".join(line) for line in lines)


def main(argv):
    lines = "--lines" in argv
    argv = [a for a in argv if a != "--lines"]
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if argv else 2
    events = []
    try:
        for path in event_files(argv):
            for offset, data in read_records(path):
                event = decode_event(data)
                event["file"] = path
                event["offset"] = offset
                events.append(event)
    except (DecodeError, OSError, UnicodeDecodeError) as e:
        print(f"tb_read.py: error: {e}", file=sys.stderr)
        return 1
    if lines:
        if events:
            print(as_lines(events))
    else:
        json.dump(events, sys.stdout, indent=1)
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
