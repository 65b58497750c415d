#!/usr/bin/env bash
# A one-minute tour: start burrowd on a free loopback port with a fresh user
# key, run one remote command with burrow, then open a -L tunnel to a small
# web server and fetch a page through it; show what happened, clean up.
# Works as root and as an ordinary user (burrowd then serves only that user).
set -u

cd "$(dirname "$0")/.." || exit 2
BUILD=${BUILD:-build}
case "$BUILD" in
/*) ;;
*) BUILD=$(pwd)/$BUILD ;;
esac
BURROW=$BUILD/burrow
BURROWD=$BUILD/burrowd
for b in "$BURROW" "$BURROWD"; do
	if [ ! -x "$b" ]; then
		echo "demo: $b is not built; run 'make' first" >&2
		exit 1
	fi
done

DIR=$(mktemp -d "${TMPDIR:-/tmp}/burrow-demo.XXXXXX") || exit 1
SRV_PID=""
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	if [ -n "$SRV_PID" ] && kill -0 "$SRV_PID" 2>/dev/null; then
		kill "$SRV_PID" 2>/dev/null
		i=0
		while kill -0 "$SRV_PID" 2>/dev/null && [ "$i" -lt 30 ]; do
			sleep 0.1; i=$((i + 1))
		done
		kill -9 "$SRV_PID" 2>/dev/null
	fi
	rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

USER_NAME=$(id -un)

# A free port: ask the kernel for one; fall back to a random high port.
PORT=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null) ||
	PORT=$(( $(od -An -N2 -tu2 /dev/urandom) % 20000 + 30000 ))

# Print a command the way one would type it. SUFFIX (e.g. a redirection) is appended as is.
SUFFIX=""
show() {
	printf '\n$'
	for a in "$@"; do
		case "$a" in
		"" | *[!A-Za-z0-9_./=@:+-]*) printf " '%s'" "$a" ;;
		*) printf ' %s' "$a" ;;
		esac
	done
	printf '%s\n' "$SUFFIX"
	SUFFIX=""
}

echo "== burrow demo in $DIR (user $USER_NAME, port $PORT)"

show ssh-keygen -q -t ed25519 -N '' -f "$DIR/id"
ssh-keygen -q -t ed25519 -N '' -C burrow-demo -f "$DIR/id" </dev/null || exit 1
show cp "$DIR/id.pub" "$DIR/authorized_keys"
cp "$DIR/id.pub" "$DIR/authorized_keys" && chmod 600 "$DIR/authorized_keys"

# StrictModes=no: the demo's key file lives under /tmp, which is writable by
# everyone; burrowd (like sshd) would rightly refuse it otherwise.
set -- "$BURROWD" -D -e -p "$PORT" -h "$DIR/hostkey" \
	-o ListenAddress=127.0.0.1 -o "AuthorizedKeysFile=$DIR/authorized_keys" \
	-o "PidFile=$DIR/pid" -o StrictModes=no
SUFFIX=" 2>$DIR/burrowd.log &"
show "$@"
"$@" 2>"$DIR/burrowd.log" </dev/null &
SRV_PID=$!

# Wait (up to 10 s) until the port accepts connections.
i=0
until (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; do
	if ! kill -0 "$SRV_PID" 2>/dev/null || [ "$i" -ge 100 ]; then
		echo "demo: burrowd did not start; its log:" >&2
		cat "$DIR/burrowd.log" >&2
		exit 1
	fi
	sleep 0.1; i=$((i + 1))
done
echo "(burrowd is listening on 127.0.0.1:$PORT, pid $SRV_PID)"

# shellcheck disable=SC2016 # $(...) is for the remote shell
set -- "$BURROW" -p "$PORT" -i "$DIR/id" -o "UserKnownHostsFile=$DIR/known_hosts" \
	-o StrictHostKeyChecking=accept-new "$USER_NAME@127.0.0.1" \
	'echo hi from $(hostname) as $(id -un); exit 7'
show "$@"
"$@" </dev/null >"$DIR/out" 2>"$DIR/err"
rc=$?
echo "--- remote stdout:"
cat "$DIR/out"
echo "--- stderr:"
cat "$DIR/err"
echo "--- exit status: $rc (the remote command ran 'exit 7')"
echo "--- known_hosts now holds:"
cat "$DIR/known_hosts" 2>/dev/null || echo "(nothing)"

# The tunnel: a small web server on another loopback port, reached through
# `burrow -N -f -L`, as in the seed's `ssh -N -f -L 3456:localhost:80 vishnu`.
freeport() { /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
WEB_PORT=$(freeport)
TUN_PORT=$(freeport)
mkdir -p "$DIR/www" && echo "hello through the burrow tunnel" >"$DIR/www/index.html"
echo
echo "== a tunnel: web server on 127.0.0.1:$WEB_PORT, reached through local port $TUN_PORT"
(cd "$DIR/www" && exec /usr/bin/python3 -m http.server --bind 127.0.0.1 "$WEB_PORT") \
	>"$DIR/web.log" 2>&1 </dev/null &
WEB_PID=$!
set -- "$BURROW" -N -f -L "$TUN_PORT:127.0.0.1:$WEB_PORT" -p "$PORT" -i "$DIR/id" \
	-o "UserKnownHostsFile=$DIR/known_hosts" "$USER_NAME@127.0.0.1"
show "$@"
"$@" </dev/null
tun_rc=$?
sleep 0.3
show /usr/bin/python3 -c "...urlopen('http://127.0.0.1:$TUN_PORT/')..."
page=$(/usr/bin/python3 -c "import urllib.request,sys; print(urllib.request.urlopen('http://127.0.0.1:$TUN_PORT/', timeout=10).read().decode().strip())" 2>&1)
echo "--- the page, fetched through the tunnel: $page"
pkill -f -- "-L $TUN_PORT:127.0.0.1:$WEB_PORT" 2>/dev/null
kill "$WEB_PID" 2>/dev/null
sleep 0.3
echo "--- burrowd log (note the audit line of the forwarded connection):"
cat "$DIR/burrowd.log"

if [ "$rc" -eq 7 ] && [ "$tun_rc" -eq 0 ] && [ "$page" = "hello through the burrow tunnel" ]; then
	echo "== demo OK"
	exit 0
fi
echo "== demo FAILED (command exit $rc, expected 7; tunnel exit $tun_rc; page '$page')" >&2
exit 1
