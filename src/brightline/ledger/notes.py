"""C2SP signed notes, tlog checkpoints, verifier keys and tlog cosignatures (Ed25519 only).

- checkpoint body: `<origin>\\n<tree size>\\n<base64 root hash>\\n` then optional extension lines;
- signed note: body, a blank line, then one `— <key name> <base64 signature>\\n` line per signer;
- log signature: base64(key hash ‖ Ed25519 signature over the body), key hash = the first 4 bytes of
  SHA-256(key name ‖ "\\n" ‖ 0x01 ‖ public key);
- witness cosignature (cosignature/v1): base64(key hash ‖ u64 big-endian timestamp ‖ Ed25519 signature
  over `cosignature/v1\\ntime <timestamp>\\n<body>`), key hash with type byte 0x04;
- verifier key: `<name>+<8 hex digits of key hash>+<base64(type byte ‖ public key)>`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import struct
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

SIGNATURE_DASH = "\u2014"  # the em dash that opens every signature line
ED25519 = 0x01
COSIGNATURE_V1 = 0x04
KEY_NAME = re.compile(r"^[^\s+]+$")


class NoteError(ValueError):
    """A note, checkpoint, key or signature that cannot be used; the message says why."""


def key_hash(name: str, public_key: bytes, kind: int = ED25519) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + bytes([kind]) + public_key).digest()[:4]


def raw_public_key(key: Ed25519PublicKey) -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def verifier_key(name: str, public_key: bytes, kind: int = ED25519) -> str:
    if not KEY_NAME.match(name):
        raise NoteError(f"key name {name!r} must be non-empty without spaces or '+'")
    encoded = base64.b64encode(bytes([kind]) + public_key).decode()
    return f"{name}+{key_hash(name, public_key, kind).hex()}+{encoded}"


@dataclass(frozen=True)
class VerifierKey:
    name: str
    kind: int
    public_key: bytes

    @property
    def hash(self) -> bytes:
        return key_hash(self.name, self.public_key, self.kind)


def parse_verifier_key(text: str) -> VerifierKey:
    parts = text.strip().split("+", 2)  # base64 may itself contain "+"
    if len(parts) != 3:
        raise NoteError("a verifier key has the form <name>+<8 hex digits>+<base64 key>")
    name, hash_hex, encoded = parts
    try:
        raw = base64.b64decode(encoded, validate=True)
        expected = bytes.fromhex(hash_hex)
    except (binascii.Error, ValueError):
        raise NoteError("verifier key: the key hash or the key is not well encoded") from None
    if len(raw) != 33 or raw[0] not in (ED25519, COSIGNATURE_V1) or len(expected) != 4:
        raise NoteError("verifier key: expected an Ed25519 key (type 0x01 or 0x04) and a 4-byte key hash")
    key = VerifierKey(name=name, kind=raw[0], public_key=raw[1:])
    if key.hash != expected:
        raise NoteError("verifier key: the key hash does not match the name and key")
    return key


def checkpoint_body(origin: str, size: int, root: bytes, extensions: tuple[str, ...] = ()) -> str:
    if not origin or "\n" in origin:
        raise NoteError("the origin must be one non-empty line")
    lines = [origin, str(size), base64.b64encode(root).decode(), *extensions]
    return "".join(line + "\n" for line in lines)


def signature_line(name: str, signature: bytes) -> str:
    return f"{SIGNATURE_DASH} {name} {base64.b64encode(signature).decode()}\n"


def sign_note(body: str, name: str, private_key: Ed25519PrivateKey) -> str:
    public = raw_public_key(private_key.public_key())
    signature = key_hash(name, public) + private_key.sign(body.encode())
    return body + "\n" + signature_line(name, signature)


@dataclass(frozen=True)
class Signature:
    name: str
    raw: bytes  # key hash ‖ signature (‖ timestamp for cosignatures)
    line: str


@dataclass(frozen=True)
class Checkpoint:
    body: str
    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...]
    signatures: tuple[Signature, ...] = field(default_factory=tuple)


def parse_signature_line(line: str) -> Signature:
    prefix = SIGNATURE_DASH + " "
    if not line.startswith(prefix):
        raise NoteError(f"a signature line starts with '{SIGNATURE_DASH} ' (an em dash and a space)")
    parts = line[len(prefix) :].rstrip("\n").split(" ")
    if len(parts) != 2 or not parts[0]:
        raise NoteError("a signature line is '— <key name> <base64 signature>'")
    try:
        raw = base64.b64decode(parts[1], validate=True)
    except binascii.Error:
        raise NoteError("the signature is not valid base64") from None
    if len(raw) < 5:
        raise NoteError("the signature is too short")
    return Signature(name=parts[0], raw=raw, line=line if line.endswith("\n") else line + "\n")


def parse_checkpoint(text: str) -> Checkpoint:
    """Split a signed checkpoint note into its parsed body and its signature lines (not verified)."""
    if not text.endswith("\n"):
        raise NoteError("a signed note ends with a newline")
    body, separator, signature_block = text.partition("\n\n")
    if not separator:
        raise NoteError("a signed note has a blank line between its body and its signatures")
    body += "\n"
    lines = body[:-1].split("\n")
    if len(lines) < 3:
        raise NoteError("a checkpoint body has an origin line, a tree size line and a root hash line")
    origin, size_text, root_text, *extensions = lines
    if not origin:
        raise NoteError("the checkpoint's origin line is empty")
    if not re.fullmatch(r"0|[1-9][0-9]*", size_text):
        raise NoteError("the checkpoint's tree size is not a decimal number without leading zeros")
    try:
        root = base64.b64decode(root_text, validate=True)
    except binascii.Error:
        raise NoteError("the checkpoint's root hash is not valid base64") from None
    if len(root) != 32:
        raise NoteError("the checkpoint's root hash is not 32 bytes")
    if any(not extension for extension in extensions):
        raise NoteError("the checkpoint body has an empty extension line")
    signatures = tuple(parse_signature_line(line) for line in signature_block.splitlines(keepends=True))
    if not signatures:
        raise NoteError("the note carries no signature")
    return Checkpoint(body, origin, int(size_text), root, tuple(extensions), signatures)


def verify_note_signature(checkpoint: Checkpoint, key: VerifierKey) -> None:
    """Raise NoteError unless a signature line of `key` signs the checkpoint body."""
    if key.kind != ED25519:
        raise NoteError("the log's key must be an Ed25519 signed-note key (type 0x01)")
    public = Ed25519PublicKey.from_public_bytes(key.public_key)
    for signature in checkpoint.signatures:
        if signature.name != key.name or signature.raw[:4] != key.hash:
            continue
        if len(signature.raw) != 4 + 64:
            raise NoteError(f"the signature of {key.name} is not 68 bytes")
        try:
            public.verify(signature.raw[4:], checkpoint.body.encode())
        except InvalidSignature:
            raise NoteError(f"the signature of {key.name} does not verify") from None
        return
    raise NoteError(f"the note carries no signature by {key.name} with key hash {key.hash.hex()}")


def cosignature_message(body: str, timestamp: int) -> bytes:
    return f"cosignature/v1\ntime {timestamp}\n{body}".encode()


def cosign(body: str, name: str, private_key: Ed25519PrivateKey, timestamp: int) -> str:
    """A witness's cosignature line over a checkpoint body (used by tests and by witnesses)."""
    public = raw_public_key(private_key.public_key())
    signature = private_key.sign(cosignature_message(body, timestamp))
    raw = key_hash(name, public, COSIGNATURE_V1) + struct.pack(">Q", timestamp) + signature
    return signature_line(name, raw)


def verify_cosignature(body: str, signature: Signature, name: str, public_key: bytes) -> int:
    """Check a witness's cosignature/v1 line over `body`; return its timestamp or raise NoteError."""
    if signature.name != name:
        raise NoteError(f"the signature line names {signature.name!r}, not the witness {name!r}")
    if len(signature.raw) != 4 + 8 + 64:
        raise NoteError("a cosignature/v1 signature is 76 bytes: key hash, timestamp, Ed25519 signature")
    if signature.raw[:4] != key_hash(name, public_key, COSIGNATURE_V1):
        raise NoteError(f"the key hash does not match the registered key of witness {name!r}")
    (timestamp,) = struct.unpack(">Q", signature.raw[4:12])
    if timestamp > 2**63 - 1:
        raise NoteError("the cosignature timestamp is out of range")
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(
            signature.raw[12:], cosignature_message(body, timestamp)
        )
    except InvalidSignature:
        raise NoteError(f"the cosignature of witness {name!r} does not verify over this checkpoint") from None
    return int(timestamp)
