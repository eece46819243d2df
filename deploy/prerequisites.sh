#!/usr/bin/env bash
# What install.sh needs from the system, on Debian or Ubuntu: Python's venv module, Node.js and npm (for the
# hub's proxy), git, and configurable-http-proxy. Run as root, once, before install.sh.
#
# Node.js comes from the distribution or from NodeSource. NodeSource's nodejs package carries npm and
# conflicts with the distribution's npm package, so npm (and Node.js) are installed only when missing.
set -euo pipefail

say() { echo "prerequisites.sh: $*"; }
[ "$(id -u)" -eq 0 ] || { echo "prerequisites.sh: run as root: it installs system packages" >&2; exit 1; }

packages=(python3-venv git)
if command -v node >/dev/null || command -v nodejs >/dev/null; then
  say "Node.js is installed already ($(command -v node || command -v nodejs)): kept"
else
  packages+=(nodejs)
fi
if command -v npm >/dev/null; then
  say "npm is installed already ($(command -v npm)): kept"
elif dpkg-query -W -f='${Version}' nodejs 2>/dev/null | grep -q nodesource; then
  echo "prerequisites.sh: NodeSource's nodejs is installed but npm, which it carries, is missing:" \
    "reinstall nodejs (apt-get install --reinstall nodejs); Debian's npm package would conflict with it" >&2
  exit 1
else
  packages+=(npm)  # the distribution's Node.js: its npm is a package of its own
fi
say "apt-get install ${packages[*]}"
apt-get install -y "${packages[@]}"
if command -v configurable-http-proxy >/dev/null; then
  say "configurable-http-proxy is installed already: kept"
else
  say "npm install -g configurable-http-proxy"
  npm install -g configurable-http-proxy
fi
say "done; next: bash deploy/install.sh"
