#!/bin/sh
# Install the Debian packages burrow needs to build and test.
# Silent (one line) when everything is present. As root: apt-get installs what
# is missing. Otherwise: prints the exact command to run and exits 1.
set -eu

PKGS="libssl-dev zlib1g-dev libevent-dev libcrypt-dev libpam0g-dev meson ninja-build pkg-config gcc
openssh-client openssh-server python3-pytest
git rsync openssh-sftp-server tmux"

if ! command -v dpkg-query >/dev/null 2>&1; then
	echo "install-deps: dpkg-query not found (not Debian?); install the equivalents of: $(echo "$PKGS" | tr '\n' ' ')" >&2
	exit 0
fi

missing=""
n=0
for p in $PKGS; do
	n=$((n + 1))
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$status" in
	*"install ok installed"*) ;;
	*) missing="$missing $p" ;;
	esac
done
missing=${missing# }

if [ -z "$missing" ]; then
	echo "install-deps: all $n packages present"
	exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
	echo "install-deps: installing: $missing"
	apt-get update
	# shellcheck disable=SC2086 # word splitting of the package list is intended
	DEBIAN_FRONTEND=noninteractive apt-get install -y $missing
	exit 0
fi

echo "install-deps: missing Debian packages: $missing" >&2
echo "install-deps: run this, then retry:" >&2
echo "  sudo apt-get update && sudo apt-get install -y $missing" >&2
exit 1
