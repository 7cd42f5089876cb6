#!/usr/bin/env python3
"""A minimal external implementation of the XCHAT-1 conformance interface.

It answers the hash ops with Python's hashlib, HMAC and HKDF with hmac, and
`unsupported` for everything else. Run it through the runner with

    xchat-conform run --impl 'python3 vectors/examples/adapter.py'

(the worked example of vectors/README.md).
"""
import hashlib
import hmac
import json
import sys


def hkdf(hash_name, salt, ikm, info, length):
    size = hashlib.new(hash_name).digest_size
    if length > 255 * size:
        raise ValueError("InvalidLength")
    prk = hmac.new(salt or bytes(size), ikm, hash_name).digest()
    okm, block = b"", b""
    for i in range((length + size - 1) // size):
        block = hmac.new(prk, block + info + bytes([i + 1]), hash_name).digest()
        okm += block
    return okm[:length]


def handle(op, i):
    b = lambda name: bytes.fromhex(i[name])
    if op in ("sha256", "sha512", "sha3_256", "sha3_512"):
        return {"output": {"digest": hashlib.new(op, b("msg")).hexdigest()}}
    if op in ("shake128", "shake256"):
        return {"output": {"out": hashlib.new(op, b("msg")).hexdigest(i["len"]) if i["len"] else ""}}
    if op in ("hmac_sha256", "hmac_sha512"):
        return {"output": {"tag": hmac.new(b("key"), b("msg"), op[5:]).hexdigest()}}
    if op in ("hkdf_sha256", "hkdf_sha512"):
        try:
            return {"output": {"okm": hkdf(op[5:], b("salt"), b("ikm"), b("info"), i["len"]).hex()}}
        except ValueError as e:
            return {"error": str(e)}
    return {"unsupported": True}


for line in sys.stdin:
    request = json.loads(line)
    reply = {"id": request["id"]}
    reply.update(handle(request["op"], request["input"]))
    print(json.dumps(reply), flush=True)
