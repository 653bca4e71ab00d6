#!/usr/bin/env bash
# Installs Debian's prometheus-alertmanager for the integration test that
# runs a real Alertmanager against the bot (TestRealAlertmanager...). It
# never fails the build: without the binary that test is skipped, loudly.
set -uo pipefail

if command -v prometheus-alertmanager >/dev/null 2>&1 || command -v alertmanager >/dev/null 2>&1; then
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo -n"; fi
apt() { $sudo env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 -y -qq "$@"; }

apt update >/dev/null || true
if ! apt install --no-install-recommends prometheus-alertmanager >/dev/null; then
  # A machine left half-upgraded refuses new packages until its
  # dependencies are put right.
  apt -f install >/dev/null && apt install --no-install-recommends prometheus-alertmanager >/dev/null
fi
if command -v prometheus-alertmanager >/dev/null 2>&1; then
  prometheus-alertmanager --version 2>&1 | head -1
else
  echo "WARNING: could not install prometheus-alertmanager; the real-Alertmanager test will be SKIPPED" >&2
fi
exit 0
