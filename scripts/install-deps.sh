#!/usr/bin/env bash
# Installs what fabric needs on a fresh Debian machine (as root): Debian packages, then npm packages.
# Idempotent and quick when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."
npm_only=0
[[ ${1:-} == --npm-only ]] && npm_only=1

# One line per package; the reason is in docs/README. Keep in sync with README "Requirements".
DEB_PACKAGES=(
  openvswitch-switch   # userspace datapath (datapath_type=netdev): the fabric's switches and routers
  ethtool              # tx checksum offload off on every veth end (DESIGN.md trap)
  iproute2             # netns, veth, vxlan
  tcpdump              # per-link capture
  tshark               # differential decode tests and bench
  tcpreplay            # crafted-frame injection
  iputils-ping
  iputils-arping
  busybox-static       # tiny rootfs for guests and containers
  procps
  qemu-system-x86      # virtual hypervisors (TCG guests, live migration); src/vm
  kmod                 # modinfo -F depends: guest module load order at image build
  chromium             # renders the HTML report in a test (tests/integration/report-chromium.test.ts)
  docker.io            # --runtime docker: dockerd started by fabric when its socket is silent (src/runtime/docker)
)

missing=()
((npm_only)) || for spec in "${DEB_PACKAGES[@]}"; do
  pkg=${spec%% *}
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "fabric: missing Debian packages: ${missing[*]} (run as root, or: apt-get install ${missing[*]})" >&2
    exit 1
  fi
  echo "fabric: installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm: reinstall only when the lock file changed since the last install.
if [[ ! -d node_modules ]] || [[ package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "fabric: installing npm packages"
  npm ci --no-audit --no-fund --loglevel=error
fi
