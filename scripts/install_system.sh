#!/usr/bin/env bash
# Install the Debian packages o2c uses, only those missing; never starts system services.
# Usage: scripts/install_system.sh PACKAGE...
set -euo pipefail
missing=()
for pkg in "$@"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "o2c needs these system packages: ${missing[*]} (run as root, or install them)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# Package scripts must not start system-wide PostgreSQL, Dovecot or sshd: the tests run
# their own servers on loopback.
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
echo "installing: ${missing[*]}"
apt-get update -q >/dev/null
apt-get -y -q -o DPkg::Lock::Timeout=600 -o Dpkg::Options::=--force-confdef \
  -o Dpkg::Options::=--force-confold install --no-install-recommends "${missing[@]}" >/dev/null
