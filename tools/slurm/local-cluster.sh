#!/usr/bin/env bash
# A one-node Slurm cluster on this machine, for trying the batch scripts of `axlearn launch
# --backend slurm` on a real scheduler (docs/distributed.md, "Tried on a real Slurm"):
#
#   tools/slurm/local-cluster.sh start DIR   # install (as root, apt-get), configure, start, wait
#   export SLURM_CONF=DIR/slurm.conf          # then sbatch, srun, sinfo, squeue, scontrol
#   tools/slurm/local-cluster.sh stop DIR    # stop the daemons (DIR is left for the logs)
#
# Everything lives under DIR: slurm.conf, the munge key and socket, the daemons' state, spool, pid
# and log files; nothing is written to /etc. munged, slurmctld and slurmd run as root (a test
# machine, not a production setup). No cgroups: processes are tracked through /proc
# (proctrack/linuxproc) and tasks are not bound (task/none), so it runs in containers too.
# Environment: SLURM_LOCAL_PORT (slurmctld's port, default 6817; slurmd takes the next one),
# SLURM_LOCAL_CPUS (the node's CPUs, default all of this machine's: nproc --all).
# Exit status: 0 started (or stopped), 3 the packages are missing and cannot be installed here
# (not root, no apt-get), 1 anything else; the reason is the last line on stderr.
set -euo pipefail

PACKAGES=(slurmctld slurmd slurm-client munge)
SBIN=(munged slurmctld slurmd)
BIN=(sbatch srun sinfo scontrol)

die() {
  echo "local-cluster: $2" >&2
  exit "$1"
}

[ $# -eq 2 ] || die 1 "usage: $0 start|stop DIR"
ACTION=$1
DIR=$(mkdir -p "$2" && cd "$2" && pwd)

missing() {
  local p
  for p in "${SBIN[@]}"; do [ -x "/usr/sbin/$p" ] || return 0; done
  for p in "${BIN[@]}"; do command -v "$p" >/dev/null || return 0; done
  return 1
}

install() {
  if ! missing; then
    return
  fi
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    die 3 "needs the Debian packages ${PACKAGES[*]} (install them with apt-get as root)"
  fi
  echo "local-cluster: installing ${PACKAGES[*]} with apt-get..." >&2
  export DEBIAN_FRONTEND=noninteractive
  local apt=(apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}")
  "${apt[@]}" >/dev/null || { apt-get update -qq && "${apt[@]}" >/dev/null; } ||
    die 1 "apt-get install ${PACKAGES[*]} failed"
  if missing; then
    die 1 "${PACKAGES[*]} installed, but munged/slurmctld/slurmd/sbatch are missing"
  fi
}

write_config() {
  local host port cpus
  host=$(hostname -s)
  port=${SLURM_LOCAL_PORT:-6817}
  cpus=${SLURM_LOCAL_CPUS:-$(nproc --all)}
  mkdir -p "$DIR/munge" "$DIR/state" "$DIR/spool" "$DIR/log"
  chmod 711 "$DIR/munge"
  if [ ! -f "$DIR/munge/munge.key" ]; then
    # munge's key: 1024 random bytes, readable by its owner only.
    (umask 077 && dd if=/dev/urandom of="$DIR/munge/munge.key" bs=1024 count=1 status=none)
  fi
  cat >"$DIR/slurm.conf" <<EOF
# Written by tools/slurm/local-cluster.sh: one node, one partition, no cgroups, no accounting.
ClusterName=axlearn-local
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$DIR/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
MpiDefault=none
MailProg=/bin/true
ReturnToService=2
# The node is what this file says, whatever slurmd detects (a VM's topology varies).
SlurmdParameters=config_overrides
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
MinJobAge=300
KillWait=10
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=local Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
}

start() {
  [ "$(id -u)" = 0 ] || die 3 "must run as root (slurmd starts each job as its user)"
  install
  write_config
  export SLURM_CONF="$DIR/slurm.conf"
  /usr/sbin/munged --force --key-file="$DIR/munge/munge.key" \
    --socket="$DIR/munge/munge.socket" --pid-file="$DIR/munge/munged.pid" \
    --log-file="$DIR/log/munged.log" --seed-file="$DIR/munge/munged.seed" ||
    die 1 "munged did not start: $(tail -n 1 "$DIR/log/munged.log" 2>/dev/null)"
  /usr/sbin/slurmctld -f "$SLURM_CONF" ||
    die 1 "slurmctld did not start: $(tail -n 1 "$DIR/log/slurmctld.log" 2>/dev/null)"
  /usr/sbin/slurmd -f "$SLURM_CONF" ||
    die 1 "slurmd did not start: $(tail -n 1 "$DIR/log/slurmd.log" 2>/dev/null)"
  local state="" i
  for i in $(seq 1 300); do
    state=$(sinfo -h -N -o '%t' 2>/dev/null || true)
    if [ "$state" = idle ]; then
      echo "local-cluster: node $(hostname -s) idle; export SLURM_CONF=$SLURM_CONF"
      return
    fi
    sleep 0.1
  done
  die 1 "the node is not idle after 30 s (sinfo: ${state:-no answer}); logs in $DIR/log"
}

# Stops the daemon whose pid is in file $1, waiting up to 10 s before it is killed.
stop_pid() {
  local pid i
  [ -f "$1" ] || return 0
  pid=$(cat "$1")
  kill "$pid" 2>/dev/null || { rm -f "$1"; return 0; }
  for i in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$1"; return 0; }
    sleep 0.1
  done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$1"
}

stop() {
  # Jobs still running would outlive slurmd (their slurmstepd keeps them): cancel them first.
  if [ -f "$DIR/slurmctld.pid" ] && kill -0 "$(cat "$DIR/slurmctld.pid")" 2>/dev/null; then
    export SLURM_CONF="$DIR/slurm.conf"
    scancel --quiet --user="$(id -un)" 2>/dev/null || true
    local i
    for i in $(seq 1 150); do
      [ -z "$(squeue -h -o %i 2>/dev/null)" ] && break
      sleep 0.1
    done
  fi
  stop_pid "$DIR/slurmd.pid"
  stop_pid "$DIR/slurmctld.pid"
  stop_pid "$DIR/munge/munged.pid"
  echo "local-cluster: stopped"
}

case $ACTION in
  start) start ;;
  stop) stop ;;
  *) die 1 "usage: $0 start|stop DIR" ;;
esac
