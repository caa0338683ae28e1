#!/usr/bin/env bash
# Set up pacer on a fresh Debian / Raspberry Pi OS machine (Python >= 3.11):
# apt packages, a virtual environment in .venv, and pacer installed into it.
#   scripts/bootstrap.sh          runtime + review/export and web (pacer serve) extras
#   scripts/bootstrap.sh --dev    also the test tools (pytest, hypothesis, ruff, mypy, selenium)
#                                 and chromium with its driver (browser tests)
# Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

dev=0
for arg in "$@"; do
  case "$arg" in
    --dev) dev=1 ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    *) echo "bootstrap: unknown option '$arg' (try --help)" >&2; exit 2 ;;
  esac
done

python=${PYTHON:-python3}
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "bootstrap: pacer needs Python 3.11 or newer ($python is $("$python" -V 2>&1))" >&2
  exit 1
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi

# espeak-ng: speech (pyttsx3's espeak driver needs libespeak-ng1); alsa-utils: aplay for
# the live audio sink; sox: checking rendered audio.
pkgs=(espeak-ng libespeak-ng1 alsa-utils sox)
"$python" -c 'import venv, ensurepip' 2>/dev/null || pkgs+=(python3-venv)
if [ -e /proc/device-tree/model ] && grep -qi raspberry /proc/device-tree/model 2>/dev/null; then
  pkgs+=(python3-lgpio python3-numpy i2c-tools)   # gpiozero's backend on the Pi (FIELD_NOTES)
fi
if [ "$dev" = 1 ]; then pkgs+=(chromium chromium-driver); fi  # HTML report, pacer serve's browser tests
if [ "$dev" = 1 ]; then pkgs+=(dbus-daemon libdbus-1-dev libglib2.0-dev pkg-config gcc); fi  # fake BlueZ tests: a private bus, dbus-python's build
if [ "$dev" = 1 ]; then pkgs+=(systemd); fi        # systemd-analyze security of the unit (tests/attack)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "bootstrap: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

venv_opts=()
if [ -e /proc/device-tree/model ] && grep -qi raspberry /proc/device-tree/model 2>/dev/null; then
  venv_opts+=(--system-site-packages)   # see Debian's lgpio
fi
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv "${venv_opts[@]}" .venv
fi
extras="review,web"
if [ "$dev" = 1 ]; then extras="review,web,dev,bluetooth"; fi
log=$(mktemp)
if ! .venv/bin/python -m pip install -q --disable-pip-version-check -e ".[$extras]" >"$log" 2>&1; then
  grep -v "^WARNING: Location" "$log" >&2; rm -f "$log"
  echo "bootstrap: pip could not install pacer (see above)" >&2; exit 1
fi
rm -f "$log"
.venv/bin/python -c 'import pacer' || { echo "bootstrap: pacer did not install" >&2; exit 1; }
echo "bootstrap: ready (.venv/bin/pacer)"
