#!/usr/bin/env bash
# Installs what fabric needs on a Debian machine (as root), by profile, then npm packages.
# Idempotent and quick when everything is already there.
#   install-deps.sh [--npm-only] [PROFILE...]   profiles: netns docker vm report test all (default: all)
# `make lab-up` asks for netns and vm (the reference lab's virtual hypervisors); `make test` for all. Nothing is ever removed: apt runs with
# --no-remove, and docker.io is never installed over another container engine (they conflict).
set -euo pipefail
cd "$(dirname "$0")/.."

declare -A PROFILE=(
  # the embedded runtime: OVS userspace datapath, namespaces, capture, canaries, probes
  [netns]="openvswitch-switch ethtool iproute2 tcpdump tcpreplay iputils-ping iputils-arping procps"
  # --runtime docker: Debian's engine, images built locally from busybox-static (never pulled)
  [docker]="docker.io busybox-static"
  # virtual hypervisors: TCG guests and live migration; kmod for the guest's module load order
  [vm]="qemu-system-x86 kmod busybox-static"
  # the HTML report rendered in a test
  [report]="chromium"
  # differential decode tests and the bench compare against tshark
  [test]="tshark"
)

npm_only=0
profiles=()
for a in "$@"; do
  case $a in
    --npm-only) npm_only=1 ;;
    all) profiles+=(netns docker vm report test) ;;
    netns | docker | vm | report | test) profiles+=("$a") ;;
    *) echo "install-deps: unknown profile $a (netns docker vm report test all)" >&2 && exit 2 ;;
  esac
done
((${#profiles[@]})) || profiles=(netns docker vm report test)

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

# Another container engine on this host (docker-ce, moby, or a dockerd answering on the socket
# fabric would use: DOCKER_HOST=unix://..., else the default one): fabric uses it as it is.
# Installing docker.io would make apt remove docker-ce.
other_engine() {
  local p sock=/var/run/docker.sock
  [[ ${DOCKER_HOST:-} == unix://* ]] && sock=${DOCKER_HOST#unix://}
  for p in docker-ce moby-engine containerd.io; do installed "$p" && echo "$p" && return 0; done
  if ! installed docker.io && [[ -S $sock ]] && command -v docker >/dev/null &&
    timeout 5 docker version >/dev/null 2>&1; then
    echo "a dockerd answering on $sock" && return 0
  fi
  return 1
}

missing=()
if ((!npm_only)); then
  for prof in "${profiles[@]}"; do
    for pkg in ${PROFILE[$prof]}; do
      [[ " ${missing[*]} " == *" $pkg "* ]] && continue
      installed "$pkg" && continue
      if [[ $pkg == docker.io ]] && engine=$(other_engine); then
        echo "fabric: not installing docker.io: this host already has a container engine ($engine); fabric uses it"
        continue
      fi
      missing+=("$pkg")
    done
  done
fi
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "fabric: missing Debian packages: ${missing[*]} (run as root, or: apt-get install ${missing[*]})" >&2
    exit 1
  fi
  echo "fabric: host change: installing Debian packages (${profiles[*]}): ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  # --no-remove: if satisfying these would remove anything installed, apt stops instead.
  apt-get install -y --no-install-recommends --no-remove -o Dpkg::Use-Pty=0 "${missing[@]}"
fi

# npm: reinstall only when the lock file changed since the last install. A linked node_modules
# (shared between git worktrees) belongs to the tree it points into: npm ci would empty it.
if [[ -L node_modules ]]; then
  :
elif [[ ! -d node_modules ]] || [[ package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "fabric: installing npm packages"
  npm ci --no-audit --no-fund --loglevel=error
fi
