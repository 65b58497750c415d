#!/bin/sh
# Install what `make bench` needs on top of scripts/install-deps.sh: wrk (HTTP
# load) and openssl (the command, for `openssl speed`). Not needed by `make check`.
# Silent (one line) when everything is present. As root: apt-get installs what
# is missing. Otherwise: prints the exact command to run and exits 1.
set -eu

PKGS="wrk openssl python3 procps"

if ! command -v dpkg-query >/dev/null 2>&1; then
	echo "install-bench-deps: dpkg-query not found (not Debian?); install the equivalents of: $PKGS" >&2
	exit 0
fi

missing=""
for p in $PKGS; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$status" in
	*"install ok installed"*) ;;
	*) missing="$missing $p" ;;
	esac
done
missing=${missing# }

if [ -z "$missing" ]; then
	echo "install-bench-deps: all bench packages present"
	exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
	echo "install-bench-deps: installing: $missing"
	apt-get update
	# shellcheck disable=SC2086 # word splitting of the package list is intended
	DEBIAN_FRONTEND=noninteractive apt-get install -y $missing
	exit 0
fi

echo "install-bench-deps: missing Debian packages: $missing" >&2
echo "install-bench-deps: run this, then retry:" >&2
echo "  sudo apt-get update && sudo apt-get install -y $missing" >&2
exit 1
