#!/usr/bin/env bash
# A real one-node Slurm on this machine, for testing `denseshift sweep --backend slurm`.
#   bash scripts/slurm-local.sh start DIR   writes DIR/slurm.conf, starts munged (if not running),
#                                           slurmctld and slurmd, waits until the node is idle,
#                                           and prints the line to export SLURM_CONF
#   bash scripts/slurm-local.sh stop DIR    stops every daemon this script started (by pid file)
#   bash scripts/slurm-local.sh status DIR  sinfo through DIR's config
# Needs Debian's slurm-wlm and munge (scripts/setup.sh installs them) and root (the daemons run
# as root, munged as the munge user). Everything Slurm writes goes to DIR: state, spool, logs,
# pid files; nothing under /etc is changed. Exit 3 (with the reason on stderr) when Slurm cannot
# start here, so a test can skip with that reason. MAX_ARRAY_SIZE=N (optional) sets the
# cluster's MaxArraySize (Slurm's default: 1001), to test sweeps that need several job arrays.
set -euo pipefail

cmd=${1:-}
dir=${2:-}
if [ -z "$cmd" ] || [ -z "$dir" ]; then
  echo "usage: $0 start|stop|status DIR" >&2
  exit 2
fi
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
conf="$dir/slurm.conf"

cannot() {  # REASON
  echo "slurm-local: cannot start Slurm here: $1" >&2
  exit 3
}

stop_pid_file() {  # FILE NAME
  local file=$1 name=$2
  [ -f "$file" ] || return 0
  local pid
  pid=$(cat "$file" 2>/dev/null || true)
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
    echo "slurm-local: stopped $name (pid $pid)"
  fi
  rm -f "$file"
}

case "$cmd" in
  stop)
    stop_pid_file "$dir/slurmd.pid" slurmd
    stop_pid_file "$dir/slurmctld.pid" slurmctld
    # munged only if this script started it (it may be the machine's own).
    if [ -f "$dir/munged.started" ]; then
      stop_pid_file /run/munge/munged.pid munged
      rm -f "$dir/munged.started"
    fi
    exit 0
    ;;
  status)
    SLURM_CONF="$conf" sinfo
    exit 0
    ;;
  start) ;;
  *) echo "usage: $0 start|stop|status DIR" >&2; exit 2 ;;
esac

[ "$(id -u)" -eq 0 ] || cannot "the daemons need root"
for tool in munged slurmctld slurmd sinfo sbatch; do
  command -v "$tool" >/dev/null || cannot "$tool is missing (bash scripts/setup.sh installs slurm-wlm and munge)"
done
[ -f /etc/munge/munge.key ] || cannot "/etc/munge/munge.key is missing (the munge package makes it)"

host=$(hostname -s)
cpus=$(nproc)
memory_mb=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 1024 ))
mkdir -p "$dir/state" "$dir/spool" "$dir/log"
cat > "$conf" <<EOF
# One-node Slurm for tests, written by scripts/slurm-local.sh
ClusterName=denseshift-test
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
ReturnToService=2
SlurmctldPort=6817
SlurmdPort=6818
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
KillWait=10
${MAX_ARRAY_SIZE:+MaxArraySize=$MAX_ARRAY_SIZE}
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$memory_mb State=UNKNOWN
PartitionName=local Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF

# munge: the machine's own if it runs, else ours, as the munge user.
if ! pgrep -x munged >/dev/null; then
  mkdir -p /run/munge
  chown munge:munge /run/munge
  chmod 0755 /run/munge
  runuser -u munge -- munged || cannot "munged did not start"
  touch "$dir/munged.started"
fi

export SLURM_CONF="$conf"
slurmctld -f "$conf" || cannot "slurmctld did not start (see $dir/log/slurmctld.log)"
slurmd -f "$conf" || cannot "slurmd did not start (see $dir/log/slurmd.log)"

for _ in $(seq 100); do
  state=$(sinfo -h -N -o '%T' 2>/dev/null | head -1 || true)
  if [ "$state" = idle ]; then
    echo "slurm-local: node $host idle ($cpus CPUs, ${memory_mb} MB); use: export SLURM_CONF=$conf"
    exit 0
  fi
  sleep 0.2
done
"$0" stop "$dir" >/dev/null 2>&1 || true
cannot "the node did not become idle in 20 s (state '${state:-none}'; logs in $dir/log)"
