#!/usr/bin/env bash
# Debian packages the test suite needs. Installs only what is missing; needs root (or sudo).
set -euo pipefail
packages=()
for package in "$@"; do packages+=("$package"); done
missing=()
for package in "${packages[@]}"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
$sudo apt-get update -q
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
