#!/usr/bin/env bash
# Installs Debian's Chromium, which the demo's browser test drives
# (cmd/ritualbot/demo_browser_test.go, through chromedp; no browser is
# downloaded). Safe to run again: it does nothing when Chromium is there.
# It never fails the build: if Chromium cannot be installed, it says so
# loudly here, and the browser test skips with the same message.
set -uo pipefail

warn() {
  echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
  echo "Chromium could not be installed ($1): the demo page will NOT be tested"
  echo "in a real browser. Install it with: apt-get install -y chromium"
  echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
}

if command -v chromium >/dev/null 2>&1; then
  echo "chromium: $(chromium --version 2>/dev/null || echo installed)"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  warn "no apt-get on this machine"
  exit 0
fi
sudo=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo="sudo -n"
  else
    warn "not root and no password-less sudo"
    exit 0
  fi
fi

export DEBIAN_FRONTEND=noninteractive
apt_opts=(-y -q -o DPkg::Lock::Timeout=300)
for attempt in 1 2 3; do
  # A run cut short earlier can leave dpkg half-configured.
  $sudo dpkg --configure -a >/dev/null 2>&1 || true
  if $sudo apt-get update -q >/dev/null && $sudo apt-get install "${apt_opts[@]}" chromium >/tmp/install-chromium.log 2>&1; then
    break
  fi
  echo "apt-get install chromium failed (attempt $attempt); last lines:"
  tail -5 /tmp/install-chromium.log || true
  sleep $((attempt * 5))
done

if command -v chromium >/dev/null 2>&1; then
  echo "chromium: $(chromium --version 2>/dev/null || echo installed)"
else
  warn "apt-get failed"
fi
exit 0
