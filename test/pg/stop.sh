#!/usr/bin/env bash
# Stops the cluster test/pg/start.sh started and removes its directory: nothing left running.
set -uo pipefail
state=${1:?usage: stop.sh STATE_DIR}
[ -f "$state/root" ] || exit 0
root=$(cat "$state/root")
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
as_owner=()
[ "$(id -u)" = 0 ] && as_owner=(runuser -u postgres --)
if [ -d "$root/data" ]; then
  "${as_owner[@]}" "$bin/pg_ctl" -D "$root/data" -m fast -w stop >/dev/null 2>&1 || true
fi
rm -rf "$root" "$state/root" "$state/env"
echo "PostgreSQL stopped"
