#!/bin/sh
# Writes docker/.env, the secrets docker/compose.yaml reads: an admin API key (sbctl, the dashboard), an application
# key (publish and read: curl, a backend) and Grafana's admin password, each random. Run it before the first
#   docker compose -f docker/compose.yaml up --build
# It never changes a value already in the file: a second run adds only the names that are missing (after an update
# that needs a new one), so it is safe to run every time. ENV_FILE names another file than docker/.env.
set -eu
env_file=${ENV_FILE:-$(dirname "$0")/.env}
names="SWITCHBOARD_ADMIN_KEY SWITCHBOARD_APP_KEY GRAFANA_ADMIN_PASSWORD"
# Readable by its owner only, as it holds keys.
umask 077

# 43 characters of [A-Za-z0-9] from the kernel's random source (over 256 bits): safe unquoted in the .env file, in a
# shell and in a header. The keys begin with sb_, as those of `sbctl keys new` do.
random_text() {
  LC_ALL=C tr -dc 'A-Za-z0-9' </dev/urandom | head -c 43
}

value_for() {
  case $1 in
    *_KEY) printf 'sb_%s' "$(random_text)" ;;
    *) random_text ;;
  esac
}

# A file that does not end its last line would join it to the first line added.
if [ -s "$env_file" ] && [ -n "$(tail -c 1 "$env_file")" ]; then
  echo >>"$env_file"
fi
added=""
for name in $names; do
  if [ -f "$env_file" ] && grep -q "^$name=" "$env_file"; then
    continue
  fi
  printf '%s=%s\n' "$name" "$(value_for "$name")" >>"$env_file"
  added="$added $name"
done

if [ -z "$added" ]; then
  echo "$env_file: has every secret already; nothing changed"
else
  echo "$env_file: added$added"
fi
cat <<NEXT
Next:
  docker compose -f docker/compose.yaml up --build
  export SBCTL_NODE=http://localhost:8081 SBCTL_KEY=\$(sed -n 's/^SWITCHBOARD_ADMIN_KEY=//p' $env_file)
  sbctl cluster show
The dashboard at http://localhost:8081/ws/dashboard asks for that same key; Grafana (http://localhost:3000) takes
admin and GRAFANA_ADMIN_PASSWORD.
NEXT
