# The local certificate authority of the services' mutual TLS (common/src/rpc/rpc-tls.ts): one CA
# and one key pair per identity under var/pki, made with openssl when missing or about to expire.
# Production does not use this: its certificates come from the platform (docs/security.md).
#
# An identity is an application name: the certificate's CN and its only DNS name, which is what
# a server checks against a method's callers and a client against the service it asked for.
# `ops` is the operator's tools (seed, tests, manual fixes); `echo` the RPC layer's test fixture.

PKI_DIR="${RPC_TLS_DIR:-$VAR/pki}"
PKI_IDENTITIES=(coupon goods user order pay order-web pay-web ops echo)
# Renewed when less than this is left (30 days), so that a long-lived dev box never sees one expire.
PKI_RENEW_SECONDS=2592000

ensure_openssl() {
  command -v openssl >/dev/null || apt_install openssl
}

# pki_valid FILE: the certificate exists and does not expire within PKI_RENEW_SECONDS.
pki_valid() {
  [ -s "$1" ] && openssl x509 -in "$1" -noout -checkend "$PKI_RENEW_SECONDS" >/dev/null 2>&1
}

pki_ca() {
  if pki_valid "$PKI_DIR/ca.crt" && [ -s "$PKI_DIR/ca.key" ]; then return 1; fi
  openssl ecparam -name prime256v1 -genkey -noout -out "$PKI_DIR/ca.key"
  openssl req -x509 -new -key "$PKI_DIR/ca.key" -sha256 -days 3650 -subj "/O=Shop local/CN=Shop local RPC CA" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
    -out "$PKI_DIR/ca.crt" 2>/dev/null
  return 0
}

# pki_issue NAME: a key pair for NAME signed by the CA, good for both ends of a connection.
pki_issue() {
  local name=$1 dir=$PKI_DIR
  openssl ecparam -name prime256v1 -genkey -noout -out "$dir/$name.key.new"
  openssl req -new -key "$dir/$name.key.new" -subj "/O=Shop local/CN=$name" -out "$dir/$name.csr" 2>/dev/null
  openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial -sha256 -days 825 \
    -extfile <(printf 'subjectAltName=DNS:%s\nextendedKeyUsage=serverAuth,clientAuth\nkeyUsage=critical,digitalSignature\nbasicConstraints=CA:FALSE\n' "$name") \
    -out "$dir/$name.crt.new" 2>/dev/null
  chmod 600 "$dir/$name.key.new"
  # Key first, then certificate: a process reading both in between gets the old pair or fails
  # to start, never a certificate with the wrong key for long.
  mv "$dir/$name.key.new" "$dir/$name.key"
  mv "$dir/$name.crt.new" "$dir/$name.crt"
  rm -f "$dir/$name.csr"
}

pki_up() {
  ensure_openssl
  mkdir -p "$PKI_DIR"
  chmod 700 "$PKI_DIR"
  local renewed_ca=0 name issued=()
  if pki_ca; then renewed_ca=1; fi
  for name in "${PKI_IDENTITIES[@]}"; do
    if [ "$renewed_ca" = 1 ] || ! pki_valid "$PKI_DIR/$name.crt" || [ ! -s "$PKI_DIR/$name.key" ]; then
      pki_issue "$name"
      issued+=("$name")
    fi
  done
  if [ "${#issued[@]}" -gt 0 ]; then say "pki: issued ${issued[*]} (CA $PKI_DIR/ca.crt)"; else say "pki: certificates valid in $PKI_DIR"; fi
}
