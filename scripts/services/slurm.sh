#!/usr/bin/env bash
# A single-node Slurm (munged + slurmctld + slurmd from Debian) on 127.0.0.1, for the task executor's tests.
# Everything lives under $FERRY_SERVICES_DIR/slurm; idempotent. Prints the SLURM_CONF line last.
# No accounting database: the executor reads job states from squeue and scontrol (completed jobs stay known to the
# controller for MinJobAge seconds), and sacct where a cluster has accounting.
set -euo pipefail
. "$(dirname "$0")/common.sh"
R="$FERRY_SERVICES_DIR/slurm"; NODE=$(hostname -s)
command -v slurmctld >/dev/null && command -v slurmd >/dev/null && command -v sbatch >/dev/null && [ -x /usr/sbin/munged ] \
  || install slurmctld slurmd slurm-client munge
mkdir -p "$R/munge" "$R/state" "$R/spool" "$R/log"
chown munge:munge "$R/munge"; chmod 0711 "$R/munge"
[ -f "$R/munge/munge.key" ] || { dd if=/dev/urandom of="$R/munge/munge.key" bs=1024 count=1 status=none; chown munge:munge "$R/munge/munge.key"; chmod 0400 "$R/munge/munge.key"; }
if ! alive "$R/munge/munged.pid"; then
  runuser -u munge -- /usr/sbin/munged --key-file="$R/munge/munge.key" --socket="$R/munge/munge.socket.2" \
     --pid-file="$R/munge/munged.pid" --log-file="$R/munge/munged.log" --seed-file="$R/munge/munged.seed"
fi
cat > "$R/slurm.conf.new" <<CFG
ClusterName=ferry
SlurmctldHost=$NODE(127.0.0.1)
SlurmctldPort=6817
SlurmdPort=6818
CommunicationParameters=NoInAddrAny
AuthType=auth/munge
AuthInfo=socket=$R/munge/munge.socket.2
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$R/state
SlurmdSpoolDir=$R/spool
SlurmctldPidFile=$R/slurmctld.pid
SlurmdPidFile=$R/slurmd.pid
SlurmctldLogFile=$R/log/slurmctld.log
SlurmdLogFile=$R/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$R/log/jobcomp.log
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
MinJobAge=600
NodeName=$NODE NodeAddr=127.0.0.1 CPUs=$(nproc) RealMemory=1000 State=UNKNOWN
PartitionName=debug Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
CFG
# Rewrite the file only when it changed, so running daemons never see it half-written.
cmp -s "$R/slurm.conf.new" "$R/slurm.conf" 2>/dev/null && rm "$R/slurm.conf.new" || mv "$R/slurm.conf.new" "$R/slurm.conf"
export SLURM_CONF="$R/slurm.conf"
alive "$R/slurmctld.pid" || slurmctld -f "$SLURM_CONF"
alive "$R/slurmd.pid" || slurmd -f "$SLURM_CONF"
for _ in $(seq 150); do sinfo -h -o %T 2>/dev/null | grep -qE '^(idle|mixed|allocated)' && break; sleep 0.2; done
sinfo -h -o %T | grep -qE '^(idle|mixed|allocated)' || { echo "slurm: node did not come up; see $R/log" >&2; exit 1; }
echo "slurm: SLURM_CONF=$SLURM_CONF (slurmctld $(cat "$R/slurmctld.pid"), slurmd $(cat "$R/slurmd.pid"))"
