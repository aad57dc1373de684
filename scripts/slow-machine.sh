#!/usr/bin/env bash
# Runs a command, and every process it starts, on a slower machine: their CPU time together is
# capped at PERCENT of one core by the kernel's CPU controller (cgroup v2 or v1; needs root).
#
#   bash scripts/slow-machine.sh PERCENT COMMAND [ARGUMENTS...]
#
# 100 gives the whole command one core's worth of time (half of a 2-core machine), 60 about a
# third of it. The exit status is the command's; nothing else on the machine is slowed.
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: slow-machine.sh PERCENT COMMAND [ARGUMENTS...]" >&2; exit 2; }
percent=$1
shift
[[ "$percent" =~ ^[0-9]+$ ]] && ((percent >= 5)) || { echo "slow-machine.sh: PERCENT is a whole number of 5 or more" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "slow-machine.sh: the CPU controller needs root" >&2; exit 2; }

period_us=100000
quota_us=$((period_us * percent / 100))
group="obf-slow-$$"
if [ -f /sys/fs/cgroup/cgroup.controllers ] && grep -qw cpu /sys/fs/cgroup/cgroup.controllers; then
    grep -qw cpu /sys/fs/cgroup/cgroup.subtree_control || echo +cpu >/sys/fs/cgroup/cgroup.subtree_control
    folder=/sys/fs/cgroup/$group
    mkdir "$folder"
    echo "$quota_us $period_us" >"$folder/cpu.max"
elif [ -f /sys/fs/cgroup/cpu/cpu.cfs_quota_us ]; then
    folder=/sys/fs/cgroup/cpu/$group
    mkdir "$folder"
    echo "$period_us" >"$folder/cpu.cfs_period_us"
    echo "$quota_us" >"$folder/cpu.cfs_quota_us"
else
    echo "slow-machine.sh: no cgroup CPU controller under /sys/fs/cgroup" >&2
    exit 2
fi
# The group goes once its last process has ended (a process left running keeps it, capped).
trap 'rmdir "$folder" 2>/dev/null || true' EXIT
echo "slow-machine.sh: ${percent}% of one core for: $*" >&2
set +e
bash -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' slow-machine "$folder" "$@"
status=$?
exit $status
