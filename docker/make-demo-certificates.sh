#!/bin/sh
# Makes the compose stack's demo certificates in DIR (default: ./tls) once; a second run keeps
# them. A private CA, the replicas' server certificate (names obf-a, obf-b, localhost,
# 127.0.0.1), and client certificates for Prometheus and for a trader on this host: the
# replicas run with mutual TLS (--tls-client-ca), so every client presents one.
#
#   sh docker/make-demo-certificates.sh docker/tls
#
# Demo only: the CA's key stays beside the certificates, and the trader's key is readable by
# anyone on the host (so that it can be used without root). In production the CA's key never
# leaves its owner, and each private key is readable by its process' user only.
set -eu
dir=${1:-./tls}
mkdir -p "$dir"
cd "$dir"
if [ -s ca.pem ] && [ -s obf.pem ] && [ -s prometheus.pem ] && [ -s trader.pem ]; then
    echo "demo certificates already in $dir"
    exit 0
fi
umask 077
key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" 2>/dev/null; }
issue() { # name, common name, extensions
    key "$1"
    openssl req -new -key "$1.key" -out "$1.csr" -subj "/CN=$2"
    printf '%s\n' "$3" > "$1.ext"
    openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -out "$1.pem" -days 365 \
        -extfile "$1.ext" 2>/dev/null
    rm -f "$1.csr" "$1.ext"
}
key ca
openssl req -x509 -new -key ca.key -out ca.pem -days 365 -subj "/CN=obf demo CA" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
issue obf obf "subjectAltName=DNS:obf-a,DNS:obf-b,DNS:localhost,IP:127.0.0.1
extendedKeyUsage=serverAuth"
issue prometheus prometheus extendedKeyUsage=clientAuth
issue trader trader extendedKeyUsage=clientAuth
chmod 644 ./*.pem trader.key
# The replicas run as uid 10001 (the image's obf user), Prometheus as nobody (65534).
chown 10001 obf.key 2>/dev/null || chmod 644 obf.key
chown 65534 prometheus.key 2>/dev/null || chmod 644 prometheus.key
echo "demo certificates made in $dir"
