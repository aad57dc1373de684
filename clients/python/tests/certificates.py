"""Certificates made by the `openssl` command for the HTTPS tests: a CA, two server certificates
it issued (for a rotation), a client certificate, and another CA with a client certificate of its
own. Server certificates name localhost and 127.0.0.1; their common name tells them apart."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

SCRIPT = r"""
set -e
key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" 2>/dev/null; }
ca() { key "$1"; openssl req -x509 -new -key "$1.key" -out "$1.pem" -days 2 -subj "/CN=$2" \
         -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign; }
issue() {
    key "$1"; openssl req -new -key "$1.key" -out "$1.csr" -subj "/CN=$2"
    printf '%s\n' "$4" > "$1.ext"
    openssl x509 -req -in "$1.csr" -CA "$3.pem" -CAkey "$3.key" -CAcreateserial -out "$1.pem" \
        -days 2 -extfile "$1.ext" 2>/dev/null
}
SERVER='subjectAltName=DNS:localhost,IP:127.0.0.1
extendedKeyUsage=serverAuth'
ca ca obf-test-ca
ca other-ca obf-other-ca
issue server obf-server-1 ca "$SERVER"
issue rotated obf-server-2 ca "$SERVER"
issue client obf-client ca extendedKeyUsage=clientAuth
issue foreign-client obf-foreign-client other-ca extendedKeyUsage=clientAuth
"""


@dataclass(frozen=True)
class Certificates:
    folder: Path

    @property
    def ca(self) -> Path:
        return self.folder / "ca.pem"

    def pem(self, name: str) -> Path:
        return self.folder / f"{name}.pem"

    def key(self, name: str) -> Path:
        return self.folder / f"{name}.key"


def make_certificates(folder: Path) -> Certificates:
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["sh", "-c", SCRIPT], cwd=folder, check=True, capture_output=True)
    return Certificates(folder)
