#!/usr/bin/env bash
# `idlab sweep --launcher slurm` against a real single-node Slurm on localhost: generates a
# munge key and a minimal slurm.conf (this machine as the only node, CPUs = nproc, no
# accounting), starts munged, slurmctld and slurmd, submits a small sweep (two of its four
# jobs fail on purpose), waits for it, checks the run folders and what --status says, and
# stops the daemons whatever happens.
#
# usage: slurm_test.sh IDLAB RECIPE WORK_DIR
# Needs root and Debian's slurmctld, slurmd, slurm-client and munge. Without them it prints
# why and exits 77 (CTest: skipped), except with IDLAB_CI=1 (.ci/run), where it fails.
set -uo pipefail
idlab=$1 recipe=$2 work=$3

say() { echo "slurm_test: $*"; }
skip() {
  say "cannot run here: $*"
  if [ "${IDLAB_CI:-0}" = 1 ]; then say "IDLAB_CI=1: CI must run this test"; exit 1; fi
  exit 77
}
fail() { say "FAILED: $*"; exit 1; }

[ "$(id -u)" -eq 0 ] || skip "needs root (it starts munged, slurmctld and slurmd)"
for cmd in munged slurmctld slurmd sbatch squeue sinfo scancel scontrol timeout; do
  command -v "$cmd" > /dev/null || skip "'$cmd' is not installed (apt-get install slurmctld slurmd slurm-client munge)"
done

# The daemons' files in a short path (Unix socket paths are limited to 108 bytes).
state=$(mktemp -d /tmp/idlab-slurm.XXXXXX) || fail "mktemp"
chmod 755 "$state"
mkdir -p "$state"/{save,spool,log}
rm -rf "$work" && mkdir -p "$work"
pids=()
job=""

cleanup() {
  if [ -n "$job" ]; then timeout 10 scancel "$job" 2> /dev/null; fi
  # Give slurmd a moment to end the job's processes before it goes.
  for _ in $(seq 20); do [ -z "$(timeout 5 squeue -h 2> /dev/null)" ] && break; sleep 0.25; done
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2> /dev/null; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 40); do kill -0 "$pid" 2> /dev/null || break; sleep 0.25; done
    kill -KILL "$pid" 2> /dev/null
  done
  if [ -f "$state/munged.pid" ]; then kill -TERM "$(cat "$state/munged.pid")" 2> /dev/null; fi
  wait 2> /dev/null
  if [ "${keep_logs:-0}" = 1 ]; then cp -r "$state/log" "$work/daemon-logs" 2> /dev/null; fi
  rm -rf "$state"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# A free TCP port on localhost, starting from a random one.
free_port() {
  local p
  for _ in $(seq 50); do
    p=$((20000 + RANDOM % 20000))
    (echo > "/dev/tcp/127.0.0.1/$p") 2> /dev/null || { echo "$p"; return 0; }
  done
  return 1
}

node=$(hostname -s)
cpus=$(nproc)
ctld_port=$(free_port) && slurmd_port=$(free_port) || fail "no free port"
[ "$ctld_port" != "$slurmd_port" ] || slurmd_port=$((ctld_port + 1))

dd if=/dev/urandom of="$state/munge.key" bs=1024 count=1 status=none
chmod 400 "$state/munge.key"
timeout 20 munged --key-file="$state/munge.key" --socket="$state/munge.sock" --pid-file="$state/munged.pid" \
  --log-file="$state/log/munged.log" --seed-file="$state/munge.seed" || { keep_logs=1; skip "munged did not start (see $work/daemon-logs)"; }

: > "$state/plugstack.conf"
cat > "$state/slurm.conf" << EOF
ClusterName=idlabtest
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$state/munge.sock
CredType=cred/munge
StateSaveLocation=$state/save
SlurmdSpoolDir=$state/spool
SlurmctldPidFile=$state/slurmctld.pid
SlurmdPidFile=$state/slurmd.pid
SlurmctldLogFile=$state/log/slurmctld.log
SlurmdLogFile=$state/log/slurmd.log
PlugStackConfig=$state/plugstack.conf
MailProg=/bin/true
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
ReturnToService=2
InactiveLimit=0
KillWait=5
MinJobAge=300
NodeName=$node NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=idlab Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF=$state/slurm.conf

slurmctld -D -c -f "$SLURM_CONF" > "$state/log/slurmctld.out" 2>&1 &
pids+=($!)
slurmd -D -N "$node" -f "$SLURM_CONF" > "$state/log/slurmd.out" 2>&1 &
pids+=($!)
say "slurmctld on port $ctld_port, slurmd on port $slurmd_port, node $node with $cpus CPUs"

ready=0
for _ in $(seq 120); do
  if timeout 5 sinfo -h -n "$node" -o %t 2> /dev/null | grep -q '^idle'; then ready=1; break; fi
  sleep 0.25
done
if [ "$ready" != 1 ]; then
  keep_logs=1
  tail -n 20 "$state/log/slurmctld.out" "$state/log/slurmd.out"
  fail "the node did not become idle within 30 s (logs in $work/daemon-logs)"
fi

# Four jobs (data.kappa from the recipe x data.clusters here); clusters = 2 fails by design.
out=$work/sweep
submit=$(timeout 60 "$idlab" sweep "$recipe" data.clusters=2,20 --jobs 2 --launcher slurm \
           --sbatch=--time=5 --out "$out" 2>&1)
code=$?
echo "$submit"
[ "$code" -eq 0 ] || fail "idlab sweep --launcher slurm exited with $code"
job=$(echo "$submit" | sed -n 's/^submitted Slurm job array \([0-9]*\):.*/\1/p')
[ -n "$job" ] || fail "no job id in the output"
ls "$out"/slurm/array-*.sbatch > /dev/null || fail "no job-array script in $out/slurm"

finished=0
for _ in $(seq 360); do
  status=$("$idlab" sweep --status "$out" 2>&1)
  if echo "$status" | grep -q "nothing left to run" && [ -z "$(timeout 5 squeue -h -j "$job" 2> /dev/null)" ]; then
    finished=1
    break
  fi
  sleep 0.25
done
echo "$status"
[ "$finished" = 1 ] || { keep_logs=1; fail "the sweep did not finish within 90 s"; }

echo "$status" | grep -q "2 done, 0 running, 2 failed, 0 interrupted, 0 pending" || fail "expected 2 done and 2 failed"
echo "$status" | grep -q "last launch: Slurm job array $job (4 tasks)" || fail "--status does not name the array"
echo "$status" | grep -q "| error: data 'core.vmf_clusters' could not be created" || fail "the failed jobs' log lines are missing"
for dir in data.kappa=5.0/data.clusters=20/seed0 data.kappa=20.0/data.clusters=20/seed0; do
  grep -q '"steps": 200' "$out/$dir/summary.json" || fail "$dir has no finished summary.json"
  grep -q '"step": 200' "$out/$dir/metrics.jsonl" || fail "$dir has no evaluation at step 200"
  grep -q "Slurm job $job task" "$out/$dir/attempt.txt" || fail "$dir was not run by an array task"
done
ls "$out"/slurm/"${job}"_*.out > /dev/null || fail "no Slurm output files"

# A rerun submits only what is left: the two failed jobs.
again=$(timeout 60 "$idlab" sweep "$out" --launcher slurm 2>&1) || fail "resubmission failed: $again"
echo "$again"
echo "$again" | grep -q "submitted Slurm job array [0-9]*: 2 tasks" || fail "the rerun should submit the 2 failed jobs"
job=$(echo "$again" | sed -n 's/^submitted Slurm job array \([0-9]*\):.*/\1/p')
say "passed"
