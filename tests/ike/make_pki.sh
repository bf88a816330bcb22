#!/bin/sh
# A test PKI in DIR, made with the openssl command line (an implementation
# independent of the code under test):
#   ca.pem / ca.key          root CA, ECDSA P-256, "C=CH, O=dmvpnd test, CN=test CA"
#   hub.pem / hub.key        RSA 4096 (large: IKE_AUTH needs fragments),
#                            subject CN=hub, SAN DNS:hub.example.net, IP:198.51.100.1
#   charon.pem / charon.key  RSA 4096, CN=charon, SAN DNS:charon.example.net,
#                            IP:198.51.100.2 (the strongSwan peer in tests)
#   spoke.pem / spoke.key    ECDSA P-384, CN=spoke1, SAN DNS:spoke1.example.net,
#                            email:ops@example.net, IP:198.51.100.2
#   ecp256.pem / ecp256.key  ECDSA P-256, CN=spoke2, SAN DNS:spoke2.example.net
#   revoked.pem / .key       ECDSA P-256, CN=revoked, listed in crl.pem
#   expired.pem / .key       ECDSA P-256, CN=expired, valid in 2020 only
#   rogue-ca.pem, rogue.pem / rogue.key  a second CA and a cert it issued
#   crl.pem                  the CA's CRL (revoked.pem)
# Keys are mode 0600. Usage: make_pki.sh DIR
set -eu
d=${1:?usage: make_pki.sh DIR}
mkdir -p "$d"
cd "$d"
umask 077
cat > ca.cnf <<'CNF'
[ca]
default_ca = test
[test]
dir = .
database = index.txt
new_certs_dir = .
serial = serial
crlnumber = crlnumber
default_md = sha256
default_days = 3650
default_crl_days = 3650
policy = any
unique_subject = no
copy_extensions = copy
[any]
countryName = optional
organizationName = optional
commonName = supplied
[ext]
basicConstraints = CA:FALSE
keyUsage = digitalSignature
[caext]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
CNF
: > index.txt
echo 1000 > serial
echo 01 > crlnumber
ossl() { openssl "$@" 2> /dev/null; }
# Valid from two days back: a peer whose clock lags (a QEMU guest under
# load) must not find them not yet valid.
start=$(date -u -d '2 days ago' +%Y%m%d%H%M%SZ)
# selfca NAME: a self-signed CA, made by `openssl ca` for the start date
selfca() {
  ossl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$1.key" \
    -out "$1.csr" -subj "/C=CH/O=dmvpnd test/CN=test CA"
  ossl ca -batch -selfsign -config ca.cnf -keyfile "$1.key" -in "$1.csr" -out "$1.pem" \
    -extensions caext -notext -startdate "$start"
}
selfca ca
selfca rogue-ca
# issue NAME SUBJECT SAN KEYARGS [CA] [extra openssl ca args]
issue() {
  n=$1 subj=$2 san=$3 keyargs=$4 ca=${5:-ca}
  shift 5 || shift $#
  ossl req -new $keyargs -nodes -keyout "$n.key" -out "$n.csr" -subj "$subj" \
    ${san:+-addext "subjectAltName=$san"}
  ossl ca -batch -config ca.cnf -cert "$ca.pem" -keyfile "$ca.key" -extensions ext \
    -in "$n.csr" -out "$n.pem" -notext -startdate "$start" "$@"
}
issue hub "/O=dmvpnd test/CN=hub" "DNS:hub.example.net,IP:198.51.100.1" \
  "-newkey rsa:4096" ca
issue charon "/O=dmvpnd test/CN=charon" "DNS:charon.example.net,IP:198.51.100.2" \
  "-newkey rsa:4096" ca
issue spoke "/O=dmvpnd test/CN=spoke1" \
  "DNS:spoke1.example.net,email:ops@example.net,IP:198.51.100.2" \
  "-newkey ec -pkeyopt ec_paramgen_curve:P-384" ca
issue ecp256 "/O=dmvpnd test/CN=spoke2" "DNS:spoke2.example.net" \
  "-newkey ec -pkeyopt ec_paramgen_curve:P-256" ca
issue revoked "/O=dmvpnd test/CN=revoked" "DNS:revoked.example.net" \
  "-newkey ec -pkeyopt ec_paramgen_curve:P-256" ca
issue expired "/O=dmvpnd test/CN=expired" "DNS:expired.example.net" \
  "-newkey ec -pkeyopt ec_paramgen_curve:P-256" ca -startdate 20200101000000Z \
  -enddate 20201231000000Z
issue rogue "/O=dmvpnd test/CN=rogue" "DNS:spoke2.example.net" \
  "-newkey ec -pkeyopt ec_paramgen_curve:P-256" rogue-ca
ossl ca -config ca.cnf -cert ca.pem -keyfile ca.key -revoke revoked.pem
ossl ca -config ca.cnf -cert ca.pem -keyfile ca.key -gencrl -crl_lastupdate "$start" -out crl.pem
chmod 600 ./*.key
chmod 644 ./*.pem
rm -f ./*.csr ./[0-9]*.pem
