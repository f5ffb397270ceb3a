"""The process that runs a submission inside the grading sandbox, and the wire format it speaks.

This file runs by path (``python -I _worker.py PKGDIR``) inside the sandbox
built by :mod:`cnnbook.teaching.sandbox`, and is imported by the grader for
:func:`encode` and :func:`decode`. It needs only the standard library and
numpy.

Protocol, over the worker's original stdin and stdout (the student's code sees
``/dev/null`` and stderr instead): every message is an 8-byte big-endian length
and a payload. A payload is a 4-byte length, a JSON header and the ``.npy``
blobs of the arrays it carries, never a pickle, so reading a message cannot run
code. The grader sends the notebook's code cells; the worker answers
``{"event": "cell", "index": i}`` before each cell and ``{"event": "ready"}``
after the last, then serves ``{"op": "call", "name": ..., "args": ...}``
requests with ``{"result": ..., "args": ...}`` (the arguments as the function
left them, so the grader sees changes made in place) or ``{"error": ...}``.
"""

import io
import json
import os
import struct
import sys

import numpy as np

MAX_MESSAGE = 64 * 2**20  # bytes; a larger message is refused by the reader
MAX_DEPTH = 4
MAX_ITEMS = 1000


class WireError(Exception):
    """A message that is too large, truncated or malformed."""


class Opaque:
    """Stands for a value of a type the wire does not carry (a dict, an object...)."""

    def __init__(self, type_name):
        self.type_name = type_name

    def __repr__(self):
        return f"<{self.type_name} object>"


def _encode_value(value, blobs, depth=0):
    if value is None:
        return {"t": "none"}
    if isinstance(value, (bool, np.bool_)) and not isinstance(value, np.ndarray):
        return {"t": "bool", "v": bool(value)}
    if isinstance(value, np.generic):
        blobs.append(np.asarray(value))
        return {"t": "scalar", "i": len(blobs) - 1}
    if isinstance(value, int):
        return {"t": "int", "v": str(int(value))}
    if isinstance(value, float):
        return {"t": "float", "v": repr(float(value))}
    if isinstance(value, str):
        return {"t": "str", "v": value[:10000]}
    if isinstance(value, np.ndarray):
        if value.dtype.hasobject:
            return {"t": "other", "type": "ndarray of Python objects"}
        blobs.append(np.ascontiguousarray(value))
        return {"t": "array", "i": len(blobs) - 1}
    if isinstance(value, (tuple, list)) and depth < MAX_DEPTH and len(value) <= MAX_ITEMS:
        return {"t": type(value).__name__ if type(value) in (tuple, list) else "tuple",
                "v": [_encode_value(v, blobs, depth + 1) for v in value]}
    return {"t": "other", "type": type(value).__name__}


def encode(message, values=None):
    """Bytes of a message: a JSON-able dict, plus ``values`` (any object) under ``message["values"]``."""
    blobs = []
    header = dict(message)
    if values is not None:
        header["values"] = _encode_value(values, blobs)
    head = json.dumps(header).encode()
    parts = [struct.pack(">I", len(head)), head]
    for arr in blobs:
        buf = io.BytesIO()
        np.save(buf, arr, allow_pickle=False)
        parts += [struct.pack(">Q", buf.tell()), buf.getvalue()]
    return b"".join(parts)


def _decode_value(node, blobs):
    kind = node["t"]
    if kind == "none":
        return None
    if kind == "bool":
        return bool(node["v"])
    if kind == "int":
        return int(node["v"])
    if kind == "float":
        return float(node["v"])
    if kind == "str":
        return str(node["v"])
    if kind == "array":
        return blobs[node["i"]]
    if kind == "scalar":
        return blobs[node["i"]][()]
    if kind in ("tuple", "list"):
        items = [_decode_value(v, blobs) for v in node["v"]]
        return tuple(items) if kind == "tuple" else items
    return Opaque(str(node.get("type", "unknown"))[:100])


def decode(payload):
    """Inverse of :func:`encode`: ``(header dict, values)``; raises WireError on bad input."""
    try:
        (n,) = struct.unpack(">I", payload[:4])
        header = json.loads(payload[4:4 + n].decode())
        pos, blobs = 4 + n, []
        while pos < len(payload):
            (size,) = struct.unpack(">Q", payload[pos:pos + 8])
            blobs.append(np.load(io.BytesIO(payload[pos + 8:pos + 8 + size]), allow_pickle=False))
            pos += 8 + size
        values = _decode_value(header.pop("values"), blobs) if "values" in header else None
    except (ValueError, KeyError, TypeError, IndexError, struct.error, UnicodeDecodeError, RecursionError) as err:
        raise WireError(f"malformed message ({type(err).__name__}: {err})") from None
    if not isinstance(header, dict):
        raise WireError("malformed message (header is not an object)")
    return header, values


def write_message(stream, payload):
    stream.write(struct.pack(">Q", len(payload)) + payload)
    stream.flush()


def read_exact(read, n):
    """Read exactly n bytes with ``read(k)``; WireError on end of stream."""
    chunks, left = [], n
    while left:
        chunk = read(left)
        if not chunk:
            raise WireError("the stream ended in the middle of a message")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def read_message(read):
    (size,) = struct.unpack(">Q", read_exact(read, 8))
    if size > MAX_MESSAGE:
        raise WireError(f"message of {size} bytes is larger than the limit of {MAX_MESSAGE}")
    return read_exact(read, size)


# ------------------------------------------------------------------ the worker
def _describe(err):
    text = f"{type(err).__name__}: {err}"
    return text if len(text) <= 300 else text[:297] + "..."


def limit(limits):
    """Resource limits of this process and its children, set before any student code runs."""
    import resource

    for name, key in (("memory", resource.RLIMIT_AS), ("cpu", resource.RLIMIT_CPU),
                      ("fsize", resource.RLIMIT_FSIZE), ("nproc", resource.RLIMIT_NPROC)):
        if name in limits:
            resource.setrlimit(key, (limits[name], limits[name]))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def serve(chan_in, chan_out):
    """Run the cells sent by the grader, then answer its calls until the input closes."""
    def send(message, values=None):
        write_message(chan_out, encode(message, values))

    setup, _ = decode(read_message(chan_in.read))
    limit(setup["limits"])
    namespace = {"__name__": "__main__", "__builtins__": __builtins__}
    errors = {}
    for i, source in enumerate(setup["cells"]):
        send({"event": "cell", "index": i})
        if i in setup["skip"]:
            continue
        try:
            exec(compile(source, f"<cell {i + 1}>", "exec"), namespace)
        except BaseException as err:  # noqa: BLE001 - a student's error, even SystemExit, ends only its cell
            errors[str(i)] = _describe(err)
    found = {name: ("function" if callable(namespace.get(name)) else
                    type(namespace[name]).__name__ if name in namespace else "missing")
             for name in setup["names"]}
    send({"event": "ready", "found": found, "errors": errors})
    while True:
        try:
            request, args = decode(read_message(chan_in.read))
        except WireError:
            return  # the grader closed the channel
        fn = namespace.get(request["name"])
        try:
            with np.errstate(all="ignore"):
                out = fn(*args)
        except MemoryError:
            send({"error": "MemoryError", "message": "out of memory"})
            continue
        except BaseException as err:  # noqa: BLE001 - reported to the grader, which judges
            send({"error": type(err).__name__, "message": str(err)[:500]})
            continue
        try:
            send({"ok": True}, (out, tuple(args)))
        except MemoryError:
            send({"error": "MemoryError", "message": "out of memory while sending the result"})


def main():
    sys.path.insert(0, sys.argv[1])  # the sandbox's copy of the package comes first
    chan_in = os.fdopen(os.dup(0), "rb", buffering=0)
    chan_out = os.fdopen(os.dup(1), "wb")
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(2, 1)  # what the student prints goes to stderr, never into the channel
    sys.stdin = open(os.devnull)
    serve(chan_in, chan_out)


if __name__ == "__main__":
    main()
