"""Verifies a rollout attestation with nothing of rollout's: DSSE's PAE computed here, the
ed25519 signature checked by python3-cryptography with the key from an OpenSSH .pub file.
Usage: verify-dsse.py ENVELOPE.intoto.jsonl KEY.pub — prints the statement, exit 0 when valid."""
import base64
import hashlib
import json
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.serialization import load_ssh_public_key


def pae(payload_type: bytes, payload: bytes) -> bytes:
    return b"DSSEv1 %d %b %d %b" % (len(payload_type), payload_type, len(payload), payload)


def main() -> int:
    envelope_file, pub_file = sys.argv[1], sys.argv[2]
    with open(pub_file, "rb") as f:
        pub_line = f.read()
    public_key = load_ssh_public_key(pub_line)
    blob = base64.b64decode(pub_line.split()[1])
    fingerprint = "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")
    with open(envelope_file, "rb") as f:
        lines = [line for line in f.read().splitlines() if line.strip()]
    envelope = json.loads(lines[0])
    payload = base64.b64decode(envelope["payload"])
    signature = envelope["signatures"][0]
    try:
        public_key.verify(base64.b64decode(signature["sig"]), pae(envelope["payloadType"].encode(), payload))
    except InvalidSignature:
        print("bad signature", file=sys.stderr)
        return 1
    if signature["keyid"] != fingerprint:
        print(f"keyid {signature['keyid']} is not {fingerprint}", file=sys.stderr)
        return 1
    print(json.dumps({"payloadType": envelope["payloadType"], "statement": json.loads(payload)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
