#!/bin/sh
# Generates a throwaway PKI for the TLS tests into DIR (nothing is committed):
#   ca.crt/ca.key            the trusted test CA (pass ca.crt as the client's CA file)
#   good.{crt,key}           EC P-256 leaf for localhost / 127.0.0.1, signed by the CA
#   rsa.{crt,key}            RSA-2048 leaf for localhost (TLS 1.2 RSA key exchange tests)
#   wrong.{crt,key}          leaf for wrong.example only (hostname mismatch)
#   expired.{crt,key}        leaf for localhost valid 2020-01-01 .. 2021-01-01
#   untrusted.{crt,key}      leaf for localhost signed by another CA the client does not know
#   empty.pem                a file with no certificate
#   usage: make_test_pki.sh DIR
set -eu
d=${1:?usage: make_test_pki.sh DIR}
mkdir -p "$d"
cd "$d"
ec() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
mkca() { # NAME CN
  ec "$1.key"
  openssl req -x509 -new -key "$1.key" -sha256 -days 30 -subj "/CN=$2" -out "$1.crt" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
}
leaf() { # NAME CA SAN
  openssl req -new -key "$1.key" -subj "/CN=$1 test" -out "$1.csr" 2>/dev/null
  printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' "$3" > "$1.ext"
  openssl x509 -req -in "$1.csr" -CA "$2.crt" -CAkey "$2.key" -CAcreateserial -days 30 -sha256 \
    -extfile "$1.ext" -out "$1.crt" 2>/dev/null
}
mkca ca "tc test CA"
mkca other "tc other CA"
ec good.key; leaf good ca "DNS:localhost,IP:127.0.0.1"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa.key 2>/dev/null
leaf rsa ca "DNS:localhost,IP:127.0.0.1"
ec wrong.key; leaf wrong ca "DNS:wrong.example"
ec untrusted.key; leaf untrusted other "DNS:localhost,IP:127.0.0.1"
# Expired: `openssl ca` is the one 3.0 tool that takes explicit validity dates.
ec expired.key
openssl req -new -key expired.key -subj "/CN=expired test" -out expired.csr 2>/dev/null
mkdir -p cadb && : > cadb/index.txt && echo 1000 > cadb/serial
cat > ca.cnf <<CNF
[ca]
default_ca = tc
[tc]
database = cadb/index.txt
serial = cadb/serial
new_certs_dir = cadb
certificate = ca.crt
private_key = ca.key
default_md = sha256
policy = any
copy_extensions = none
x509_extensions = ext
unique_subject = no
[any]
commonName = supplied
[ext]
subjectAltName = DNS:localhost,IP:127.0.0.1
basicConstraints = CA:FALSE
CNF
openssl ca -batch -config ca.cnf -startdate 20200101000000Z -enddate 20210101000000Z \
  -in expired.csr -out expired.crt 2>/dev/null
echo "not a certificate" > empty.pem
echo ok
