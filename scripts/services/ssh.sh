#!/usr/bin/env bash
# OpenSSH on 127.0.0.1:$SSH_PORT, key authentication only, for the user "ferryxfer" whose files live under $R/data.
set -euo pipefail
. "$(dirname "$0")/common.sh"
R=$FERRY_SERVICES_DIR/ssh
[ -x /usr/sbin/sshd ] && command -v ssh >/dev/null || install openssh-server openssh-client
mkdir -p "$R/keys" "$R/data" /run/sshd
chmod 755 "$FERRY_SERVICES_DIR" "$R"
id ferryxfer >/dev/null 2>&1 || useradd -M -d "$R/data" -s /bin/sh ferryxfer
usermod -p '*' ferryxfer            # "locked" accounts are refused with UsePAM no, even for keys
chown ferryxfer:ferryxfer "$R/data"
[ -f "$R/host_key" ] || ssh-keygen -q -t ed25519 -N '' -f "$R/host_key"
[ -f "$R/client_key" ] || ssh-keygen -q -t ed25519 -N '' -f "$R/client_key"
cp "$R/client_key.pub" "$R/keys/ferryxfer"; chmod 644 "$R/keys/ferryxfer"
cat > "$R/sshd_config" <<CFG
Port $SSH_PORT
ListenAddress 127.0.0.1
HostKey $R/host_key
PidFile $R/sshd.pid
AuthorizedKeysFile $R/keys/%u
StrictModes no
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
UsePAM no
AllowUsers ferryxfer
Subsystem sftp internal-sftp
MaxSessions 64
MaxStartups 64:30:128
CFG
echo "[127.0.0.1]:$SSH_PORT $(cat "$R/host_key.pub")" > "$R/known_hosts"
/usr/sbin/sshd -t -f "$R/sshd_config"
alive "$R/sshd.pid" || { /usr/sbin/sshd -f "$R/sshd_config" -E "$R/sshd.log"; wait_for test -s "$R/sshd.pid"; }
echo "sshd $(cat "$R/sshd.pid") on 127.0.0.1:$SSH_PORT"
