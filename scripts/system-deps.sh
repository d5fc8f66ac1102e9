#!/usr/bin/env bash
# Makes sure the Debian packages Qt/OpenGL tests need are present: Xvfb for a
# virtual display, Mesa (llvmpipe) for software OpenGL, and the xcb libraries
# Qt's xcb platform plugin loads.  As root it installs what is missing; as
# anyone else it prints the exact command and fails.
set -euo pipefail

PACKAGES=(
  xvfb xauth
  libgl1 libegl1 libgl1-mesa-dri libglx-mesa0 libopengl0
  libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libfreetype6 libdbus-1-3
  libxcb1 libx11-xcb1 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1
  libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1
  libxcb-xfixes0 libxcb-sync1 libxcb-shm0 libxcb-render0 libxrender1 libxi6
  fonts-dejavu-core
)

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "system-deps: not a Debian-based system; install Xvfb, Mesa GL and the xcb libraries for Qt 6 yourself" >&2
  exit 0
fi

missing=()
for p in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == *"install ok installed"* ]] || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "system-deps: missing packages: ${missing[*]}" >&2
  echo "system-deps: run: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi

echo "system-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
