#!/usr/bin/env bash
# Bring the real OpenStack rig up for `make test-real`.
#
# The rig lives in shared/realcloud (read-only in CI). Its up.sh checks for cell1 with
# `nova-manage cell_v2 list_cells | grep -q ' cell1 '` under `set -o pipefail`: when grep
# exits at the first match, nova-manage can die of SIGPIPE, the pipe "fails", and up.sh runs
# create_cell again, which refuses ("combination already exists") and stops the start. Seen
# twice in a row on a busy machine. We run a copy with that one line made pipe-safe (capture,
# then match: the rig's own NOTES, workaround 10), so later rig changes still reach us.
set -euo pipefail
src=${1:?usage: rig_up.sh REALCLOUD_DIR}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/realcloud" "$work/data"
cp -r "$src"/. "$work/realcloud/"
cp "$src/../data/openstack-upper-constraints.txt" "$work/data/"
sed -i "s/^\(\s*\)\(\$NM cell_v2 list_cells 2>\/dev\/null\) | grep -q ' cell1 ' ||/\1grep -q ' cell1 ' <<<\"\$(\2 || true)\" ||/" \
  "$work/realcloud/up.sh"
grep -q "<<<\"\$(\$NM cell_v2 list_cells" "$work/realcloud/up.sh" \
  || echo "rig_up.sh: the cell1 check changed upstream; running the rig's up.sh as it is" >&2
chmod -R u+w "$work"
# The daemons inherit our working directory: a checkout (a CI clone, deleted after the run)
# is a bad one to pin. RabbitMQ started from a deleted folder can no longer spawn helpers, so
# `rabbitmqctl status` fails and the next up.sh waits out its 90 tries. Paths here are absolute.
cd /
# One retry: a first start on a loaded machine can time out waiting for a service.
bash "$work/realcloud/up.sh" || { echo "rig_up.sh: up.sh failed, retrying once" >&2; bash "$work/realcloud/up.sh"; }
