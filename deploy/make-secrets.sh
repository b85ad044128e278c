#!/bin/sh
# Writes the Secret's contents for deploy/base (its secretGenerator reads base/secrets.env): an admin key for the
# operator (sbctl) and for each pod's own drain (the preStop hook presents key 0), a publish and read key for the
# application's backend, and the HS256 secret the backend signs its clients' tokens with (docs/deploy.md).
#   deploy/make-secrets.sh [file]     # default: deploy/base/secrets.env; never overwrites one
set -eu
file=${1:-"$(dirname "$0")/base/secrets.env"}
if [ -e "$file" ]; then
    echo "make-secrets: $file exists; remove it first to make new keys (the pods then restart with them)" >&2
    exit 1
fi
# 32 random bytes as 64 hex characters: printable, no spaces, as a key must be (docs/security.md).
random() { od -An -tx1 -N32 /dev/urandom | tr -d ' \n'; }
umask 077
cat > "$file" <<SECRETS
# Made by deploy/make-secrets.sh. Never commit it; keep a copy where you keep secrets.
Auth__ApiKeys__0__Name=operator
Auth__ApiKeys__0__Scopes=admin
Auth__ApiKeys__0__Key=$(random)
Auth__ApiKeys__1__Name=backend
Auth__ApiKeys__1__Scopes=publish,read
Auth__ApiKeys__1__Key=$(random)
Auth__Jwt__Secret=$(random)
SECRETS
echo "make-secrets: wrote $file"
