// The two shell scripts inside the initramfs. They are part of the image hash: any edit here
// rebuilds the image. Both run under busybox sh.

/** Host binaries copied into the guest together with their shared libraries (found with ldd). */
export const GUEST_HOST_BINARIES: readonly { from: string; to: string; pkg: string }[] = [
  { from: '/usr/bin/ip', to: '/usr/sbin/ip', pkg: 'iproute2' },
  { from: '/usr/sbin/bridge', to: '/usr/sbin/bridge', pkg: 'iproute2' },
];

// Debian's busybox-static runs its own applets before searching PATH (SH_STANDALONE), so a bare
// `ip` in the agent's shell would be busybox's cut-down ip. Shell functions win over applets.
const PREFER_HOST_BINARIES = GUEST_HOST_BINARIES.map((b) => `${b.to.split('/').pop()}() { ${b.to} "$@"; }`).join('\n');

/** Name of the virtio-serial port the agent listens on (found in /sys/class/virtio-ports). */
export const AGENT_PORT_NAME = 'fabric.agent';

/**
 * /init: mounts, loads the modules listed in /lib/modules/load-order (dependency order resolved at
 * build time), applies kernel command line settings, then keeps the control agent running.
 * Kernel command line keys: fabric.hostname=<name>, fabric.ip=<cidr> (on eth0), fabric.ipv6=1.
 */
export const INIT_SCRIPT = `#!/bin/sh
/bin/busybox --install -s /bin
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /run /tmp /var/run/netns
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
ipv6=0; host=guest; ip4=
for arg in $(cat /proc/cmdline); do
  case "$arg" in
    fabric.hostname=*) host="\${arg#*=}" ;;
    fabric.ip=*) ip4="\${arg#*=}" ;;
    fabric.ipv6=*) ipv6="\${arg#*=}" ;;
  esac
done
# IPv6 off before any NIC exists: no router solicitations or MLD reports into tenant ports.
if [ "$ipv6" != 1 ]; then
  sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
fi
while read -r m; do
  insmod "/lib/modules/$m.ko" || echo "fabric-init: insmod $m failed" >/dev/console
done </lib/modules/load-order
hostname "$host"
ip link set lo up
if [ -e /sys/class/net/eth0 ]; then
  ip link set eth0 up
  [ -n "$ip4" ] && ip addr add "$ip4" dev eth0
fi
echo "fabric-init: ready $(cut -d' ' -f1 /proc/uptime)s" >/dev/console
# The agent ends when the host hangs up (its read sees end of file); the next one blocks on its
# !ready line until a host connects again.
while :; do
  /sbin/fabric-agent ${AGENT_PORT_NAME}
  sleep 0.1
done
`;

/** /sbin/fabric-agent: the guest half of src/vm/protocol.ts. */
export const AGENT_SCRIPT = `#!/bin/sh
# fabric guest agent: reads "<id> <base64 cmd>" lines, answers "=<id> <rc> <b64 out> <b64 err>".
dev=
for n in /sys/class/virtio-ports/*/name; do
  [ "$(cat "$n" 2>/dev/null)" = "$1" ] && dev="/dev/\${n#/sys/class/virtio-ports/}" && dev="\${dev%/name}"
done
[ -c "$dev" ] || { echo "fabric-agent: no virtio port named $1" >/dev/console; sleep 5; exit 1; }
# One open for both directions: a virtio port admits a single opener.
exec <>"$dev" >&0 2>/dev/console
cd /
${PREFER_HOST_BINARIES}
echo "!ready $(uname -r)"
while IFS= read -r line; do
  id="\${line%% *}"
  b64="\${line#* }"
  case "$id" in ''|*[!0-9]*) continue ;; esac
  [ "$b64" = "$line" ] && continue
  cmd="$(printf '%s' "$b64" | base64 -d 2>/dev/null)" || continue
  ( eval "$cmd" ) </dev/null >/tmp/.agent.out 2>/tmp/.agent.err
  rc=$?
  printf '=%s %s %s %s\\n' "$id" "$rc" "$(base64 </tmp/.agent.out | tr -d '\\n')" "$(base64 </tmp/.agent.err | tr -d '\\n')"
  rm -f /tmp/.agent.out /tmp/.agent.err
done
`;
