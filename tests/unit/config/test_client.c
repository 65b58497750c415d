/* Client options: -o keywords, command line, destinations, defaults. */
#include <pwd.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../check.h"
#include "capture.h"
#include "parse_args.h"
#include "config/client_config.h"
#include "util/err.h"
#include "util/log.h"

/* Apply one -o line to a fresh config; returns the error, stderr in *msg. */
static int apply1(struct client_config *c, const char *kv, const char **msg)
{
	int r;

	capture_start();
	r = cfg_client_apply(c, kv, "command-line");
	*msg = capture_end();
	return r;
}

static void expect_error(const char *kv, const char *want)
{
	struct client_config c;
	const char *msg;

	cfg_client_init(&c);
	CHECK(apply1(&c, kv, &msg) < 0);
	if (strcmp(msg, want) != 0)
		fprintf(stderr, "for [%s]: got [%s] want [%s]\n", kv, msg, want);
	CHECK_STR(msg, want);
	cfg_client_free(&c);
}

static void test_keywords(void)
{
	struct client_config c;
	const char *msg;

	cfg_client_init(&c);
	CHECK_INT(apply1(&c, "HostName=real.example", &msg), 0);
	CHECK_STR(msg, "");
	CHECK_INT(apply1(&c, "port 2222", &msg), 0);
	CHECK_INT(apply1(&c, "USER = alice", &msg), 0);
	CHECK_INT(apply1(&c, "IdentityFile \"~/my key\"", &msg), 0);
	CHECK_INT(apply1(&c, "IdentityFile=/k2", &msg), 0);
	CHECK_INT(apply1(&c, "IdentitiesOnly true", &msg), 0);
	CHECK_INT(apply1(&c, "UserKnownHostsFile /a /b", &msg), 0);
	CHECK_INT(apply1(&c, "GlobalKnownHostsFile /g", &msg), 0);
	CHECK_INT(apply1(&c, "StrictHostKeyChecking accept-new", &msg), 0);
	CHECK_INT(apply1(&c, "HashKnownHosts yes", &msg), 0);
	CHECK_INT(apply1(&c, "BatchMode=yes", &msg), 0);
	CHECK_INT(apply1(&c, "Ciphers aes128-ctr,aes256-ctr", &msg), 0);
	CHECK_INT(apply1(&c, "KexAlgorithms curve25519-sha256", &msg), 0);
	CHECK_INT(apply1(&c, "HostKeyAlgorithms ssh-ed25519", &msg), 0);
	CHECK_INT(apply1(&c, "LogLevel debug2", &msg), 0);
	CHECK_INT(apply1(&c, "RekeyLimit 1G 1h", &msg), 0);
	CHECK_INT(apply1(&c, "ConnectTimeout 1m", &msg), 0);
	CHECK_INT(apply1(&c, "AddressFamily inet6", &msg), 0);
	CHECK_INT(apply1(&c, "RequestTTY force", &msg), 0);
	CHECK_INT(apply1(&c, "# a comment", &msg), 0);
	CHECK_INT(apply1(&c, "", &msg), 0);

	CHECK_STR(c.hostname, "real.example");
	CHECK_INT(c.port, 2222);
	CHECK_STR(c.user, "alice");
	CHECK_INT(c.n_identity_files, 2);
	CHECK_STR(c.identity_files[0], "~/my key");
	CHECK_STR(c.identity_files[1], "/k2");
	CHECK_INT(c.identities_only, 1);
	CHECK_STR(c.user_known_hosts, "/a /b");
	CHECK_STR(c.global_known_hosts, "/g");
	CHECK_INT(c.strict_host_key_checking, SHK_ACCEPT_NEW);
	CHECK_INT(c.hash_known_hosts, 1);
	CHECK_INT(c.batch_mode, 1);
	CHECK_STR(c.ciphers, "aes128-ctr,aes256-ctr");
	CHECK_STR(c.kex_algorithms, "curve25519-sha256");
	CHECK_STR(c.host_key_algorithms, "ssh-ed25519");
	CHECK_INT(c.log_level, LOG_DEBUG2);
	CHECK_INT(c.rekey_bytes, 1073741824);
	CHECK_INT(c.rekey_seconds, 3600);
	CHECK_INT(c.connect_timeout, 60);
	CHECK_INT(c.address_family, AF_INET6);
	CHECK_INT(c.request_tty, REQUEST_TTY_FORCE);

	/* First value wins for everything but IdentityFile. */
	CHECK_INT(apply1(&c, "Port 1", &msg), 0);
	CHECK_INT(apply1(&c, "User bob", &msg), 0);
	CHECK_INT(apply1(&c, "StrictHostKeyChecking no", &msg), 0);
	CHECK_INT(apply1(&c, "RekeyLimit 2G 2h", &msg), 0);
	CHECK_INT(apply1(&c, "Ciphers aes192-ctr", &msg), 0);
	CHECK_INT(apply1(&c, "UserKnownHostsFile /c", &msg), 0);
	CHECK_INT(apply1(&c, "IdentityFile /k3", &msg), 0);
	CHECK_INT(c.port, 2222);
	CHECK_STR(c.user, "alice");
	CHECK_INT(c.strict_host_key_checking, SHK_ACCEPT_NEW);
	CHECK_INT(c.rekey_bytes, 1073741824);
	CHECK_STR(c.ciphers, "aes128-ctr,aes256-ctr");
	CHECK_STR(c.user_known_hosts, "/a /b");
	CHECK_INT(c.n_identity_files, 3);
	CHECK_STR(c.identity_files[2], "/k3");
	cfg_client_free(&c);

	/* Choice spellings. */
	cfg_client_init(&c);
	CHECK_INT(apply1(&c, "StrictHostKeyChecking off", &msg), 0);
	CHECK_INT(c.strict_host_key_checking, SHK_NO);
	CHECK_INT(apply1(&c, "BatchMode FALSE", &msg), 0);
	CHECK_INT(c.batch_mode, 0);
	CHECK_INT(apply1(&c, "RequestTTY auto", &msg), 0);
	CHECK_INT(apply1(&c, "RequestTTY yes", &msg), 0);
	CHECK_INT(c.request_tty, REQUEST_TTY_AUTO); /* explicit auto counts as set */
	CHECK_INT(apply1(&c, "ConnectTimeout none", &msg), 0);
	CHECK_INT(c.connect_timeout, -1);
	CHECK_INT(apply1(&c, "ConnectTimeout 5", &msg), 0);
	CHECK_INT(c.connect_timeout, 5);
	CHECK_INT(apply1(&c, "AddressFamily any", &msg), 0);
	CHECK_INT(c.address_family, AF_UNSPEC);
	cfg_client_free(&c);

	/* Identity list limit. */
	cfg_client_init(&c);
	for (int i = 0; i < CFG_MAX_IDENTITIES; i++)
		CHECK_INT(apply1(&c, "IdentityFile /k", &msg), 0);
	CHECK_INT(apply1(&c, "IdentityFile /k", &msg), ERR_TOO_LARGE);
	CHECK_INT(c.n_identity_files, CFG_MAX_IDENTITIES);
	cfg_client_free(&c);
}

static void test_errors(void)
{
	/* Messages as ssh 9.2 prints them. */
	expect_error("Foo=bar", "command-line: line 0: Bad configuration option: foo\n");
	expect_error("Port=abc", "command-line line 0: Bad port 'abc'.\n");
	expect_error("Port=0", "command-line line 0: Bad port '0'.\n");
	expect_error("Port=65536", "command-line line 0: Bad port '65536'.\n");
	expect_error("Port==2222", "command-line line 0: Bad port '=2222'.\n");
	expect_error("StrictHostKeyChecking=maybe",
		     "command-line line 0: unsupported option \"maybe\".\n");
	expect_error("BatchMode=1", "command-line line 0: unsupported option \"1\".\n");
	expect_error("AddressFamily=foo", "command-line line 0: unsupported option \"foo\".\n");
	expect_error("RequestTTY=bad", "command-line line 0: unsupported option \"bad\".\n");
	expect_error("LogLevel=bad", "command-line line 0: unsupported log level 'bad'\n");
	expect_error("RekeyLimit=15", "command-line line 0: RekeyLimit too small\n");
	expect_error("RekeyLimit=1X", "command-line line 0: Bad number '1X': Invalid argument\n");
	expect_error("RekeyLimit=8E",
		     "command-line line 0: Bad number '8E': Numerical result out of range\n");
	expect_error("RekeyLimit=1G 1x", "command-line line 0: invalid time value.\n");
	expect_error("RekeyLimit=1M 1h 2",
		     "command-line line 0: keyword rekeylimit extra arguments at end of line\n");
	expect_error("ConnectTimeout=abc", "command-line line 0: invalid time value.\n");
	expect_error("User", "command-line line 0: no argument after keyword \"user\"\n");
	expect_error("Port=", "command-line line 0: no argument after keyword \"port\"\n");
	expect_error("User \"\"", "command-line line 0: Missing argument.\n");
	expect_error("User=a\"b", "command-line line 0: invalid quotes\n");
	expect_error("Port 22 23",
		     "command-line line 0: keyword port extra arguments at end of line\n");
	/* A dynamic RemoteForward (no target) listens on a TCP port only. */
	expect_error("RemoteForward /tmp/dyn.sock",
		     "command-line line 0: Bad forwarding specification.\n");
	expect_error("DynamicForward 1080:x:1",
		     "command-line line 0: Bad forwarding specification.\n");
	expect_error("SendEnv A=b", "command-line line 0: Invalid environment name.\n");
	expect_error("SetEnv LANG", "command-line line 0: Invalid SetEnv.\n");
	expect_error("EscapeChar ab", "command-line line 0: Bad escape character.\n");
	expect_error("ServerAliveInterval x", "command-line line 0: invalid time value.\n");
	expect_error("Host x", "Host directive not supported as a command-line option\n");
	expect_error("Match all", "Host directive not supported as a command-line option\n");
	expect_error("Include /x", "Include directive not supported as a command-line option\n");
}

static const char usage[] =
	"usage: burrow [-46AaCfGgMNnqsTtvxy] [-b bind_address] [-c cipher_spec]\n"
	"              [-D [bind_address:]port] [-E log_file] [-e escape_char]\n"
	"              [-F configfile]\n"
	"              [-O ctl_cmd] [-S ctl_path]\n"
	"              [-i identity_file] [-J destination] [-L address]\n"
	"              [-l login_name] [-m mac_spec] [-o option] [-p port]\n"
	"              [-Q query_option] [-R address] [-W host:port]\n"
	"              destination [command [argument ...]]\n";

static void test_args(void)
{
	struct client_config c;
	const char *msg;

	CHECK_INT(parse(&c, &msg, "burrow", "-4", "-C", "-N", "-n", "-g", "-F", "/cfg",
			"-i", "/id1", "-i/id2", "-l", "bob", "-p", "2200", "-o", "Port=1",
			"-vv", "-T", "host.example", NULL), 0);
	CHECK_STR(msg, "");
	CHECK_INT(c.address_family, AF_INET);
	CHECK_INT(c.compression, 1);
	CHECK_INT(c.no_shell, 1);
	CHECK_INT(c.stdin_null, 1);
	CHECK_INT(c.gateway_ports, 1);
	CHECK_INT(c.fork_after_auth, -1);
	CHECK_STR(c.config_file, "/cfg");
	CHECK_INT(c.n_identity_files, 2);
	CHECK_STR(c.identity_files[0], "/id1");
	CHECK_STR(c.identity_files[1], "/id2");
	CHECK_STR(c.user, "bob");
	CHECK_INT(c.port, 2200);
	CHECK_INT(c.log_level, LOG_DEBUG2);
	CHECK_INT(c.request_tty, REQUEST_TTY_NO);
	CHECK_STR(c.host, "host.example");
	CHECK(c.command == NULL);
	cfg_client_free(&c);

	/* -p against -o Port: the first given wins, as ssh 9.2 does both ways. */
	CHECK_INT(parse(&c, &msg, "burrow", "-o", "Port=2", "-p", "3", "h", NULL), 0);
	CHECK_INT(c.port, 2);
	cfg_client_free(&c);
	CHECK_INT(parse(&c, &msg, "burrow", "-p", "3", "-o", "Port=2", "h", NULL), 0);
	CHECK_INT(c.port, 3);
	cfg_client_free(&c);
	CHECK_INT(parse(&c, &msg, "burrow", "-o", "User=a", "-l", "b", "h", NULL), 0);
	CHECK_STR(c.user, "a");
	cfg_client_free(&c);
	CHECK_INT(parse(&c, &msg, "burrow", "-l", "c", "b@h", NULL), 0);
	CHECK_STR(c.user, "c");
	cfg_client_free(&c);

	/* -v levels, -q, -t twice, -f implies -n. */
	CHECK_INT(parse(&c, &msg, "burrow", "-vvvv", "-tt", "-f", "-6", "h", NULL), 0);
	CHECK_INT(c.log_level, LOG_DEBUG3);
	CHECK_INT(c.request_tty, REQUEST_TTY_FORCE);
	CHECK_INT(c.fork_after_auth, 1);
	CHECK_INT(c.stdin_null, 1);
	CHECK_INT(c.address_family, AF_INET6);
	cfg_client_free(&c);
	CHECK_INT(parse(&c, &msg, "burrow", "-o", "LogLevel=ERROR", "-v", "h", NULL), 0);
	CHECK_INT(c.log_level, LOG_DEBUG1);
	cfg_client_free(&c);
	CHECK_INT(parse(&c, &msg, "burrow", "-v", "-q", "h", NULL), 0);
	CHECK_INT(c.log_level, LOG_QUIET);
	cfg_client_free(&c);

	/* Remote command: the rest, joined with single spaces. */
	CHECK_INT(parse(&c, &msg, "burrow", "h", "ls", "-l", "a b", NULL), 0);
	CHECK_STR(c.command, "ls -l a b");
	cfg_client_free(&c);
	/* Options directly after the destination still count, as with ssh. */
	CHECK_INT(parse(&c, &msg, "burrow", "h", "-p", "5", "echo", "-p", "6", NULL), 0);
	CHECK_INT(c.port, 5);
	CHECK_STR(c.command, "echo -p 6");
	cfg_client_free(&c);
	CHECK_INT(parse(&c, &msg, "burrow", "--", "h", "-p", "5", NULL), 0);
	CHECK_INT(c.port, -1);
	CHECK_STR(c.command, "-p 5");
	cfg_client_free(&c);
	CHECK_INT(parse(&c, &msg, "burrow", "h", "--", "-v", NULL), 0);
	CHECK_INT(c.log_level, -1);
	CHECK_STR(c.command, "-v");
	cfg_client_free(&c);
	CHECK_INT(parse(&c, &msg, "burrow", "h", "", NULL), 0);
	CHECK(c.command == NULL);
	cfg_client_free(&c);

	/* Errors. */
	CHECK_INT(parse(&c, &msg, "burrow", NULL), ERR_INVALID_ARG);
	CHECK_STR(msg, usage);
	cfg_client_free(&c);
	CHECK_INT(parse(&c, &msg, "burrow", "-v", NULL), ERR_INVALID_ARG);
	CHECK_STR(msg, usage);
	cfg_client_free(&c);
	CHECK(parse(&c, &msg, "burrow", "-Z", "h", NULL) < 0);
	CHECK(strncmp(msg, "unknown option -- Z\nusage: burrow ", 34) == 0);
	cfg_client_free(&c);
	CHECK(parse(&c, &msg, "burrow", "h", "-p", NULL) < 0);
	CHECK(strncmp(msg, "option requires an argument -- p\nusage: burrow ", 47) == 0);
	cfg_client_free(&c);
	CHECK(parse(&c, &msg, "burrow", "-p", "abc", "h", NULL) < 0);
	CHECK_STR(msg, "Bad port 'abc'\n");
	cfg_client_free(&c);
	CHECK(parse(&c, &msg, "burrow", "-o", "Foo=bar", "h", NULL) < 0);
	CHECK_STR(msg, "command-line: line 0: Bad configuration option: foo\n");
	cfg_client_free(&c);
}

static void check_dest(const char *d, const char *user, const char *host, int port)
{
	struct client_config c;
	const char *msg;

	CHECK_INT(parse(&c, &msg, "burrow", d, NULL), 0);
	CHECK_STR(msg, "");
	if (user == NULL)
		CHECK(c.user == NULL);
	else
		CHECK(c.user != NULL && strcmp(c.user, user) == 0);
	CHECK(c.host != NULL && strcmp(c.host, host) == 0);
	CHECK_INT(c.port, port);
	cfg_client_free(&c);
}

static void check_bad_dest(const char *d)
{
	struct client_config c;
	const char *msg;

	CHECK_INT(parse(&c, &msg, "burrow", d, NULL), ERR_INVALID_ARG);
	CHECK_STR(msg, usage);
	CHECK(c.host == NULL);
	cfg_client_free(&c);
}

static void test_destinations(void)
{
	check_dest("host", NULL, "host", -1);
	check_dest("alice@host", "alice", "host", -1);
	check_dest("a@b@c", "a@b", "c", -1);
	check_dest("ssh://host", NULL, "host", -1);
	check_dest("ssh://bob@host:2022", "bob", "host", 2022);
	check_dest("ssh://host:22/", NULL, "host", 22);
	check_dest("ssh://[::1]:5", NULL, "::1", 5);
	check_dest("ssh://u@[fe80::1]", "u", "fe80::1", -1);
	check_bad_dest("");
	check_bad_dest("user@");
	check_bad_dest("@host");
	check_bad_dest("ssh://");
	check_bad_dest("ssh://u@");
	check_bad_dest("ssh://x:abc");
	check_bad_dest("ssh://x:0");
	check_bad_dest("ssh://x/path");
	check_bad_dest("ssh://a@b@c:9");
	check_bad_dest("ssh://:22");
	check_bad_dest("ssh://[::1");
	check_bad_dest("bad host");

	/* The destination's user/port are "given": -o before them wins. */
	struct client_config c;
	const char *msg;

	CHECK_INT(parse(&c, &msg, "burrow", "-o", "Port=5", "-o", "User=x", "ssh://b@h:7", NULL), 0);
	CHECK_INT(c.port, 5);
	CHECK_STR(c.user, "x");
	cfg_client_free(&c);
}

static void test_finish(void)
{
	struct client_config c;
	struct passwd *pw = getpwuid(getuid());
	const char *msg;
	char want[512];

	CHECK(pw != NULL);
	setenv("HOME", "/home/tester", 1);
	CHECK_INT(parse(&c, &msg, "burrow", "-i", "~/k", "-o", "UserKnownHostsFile=~/kh /x ~/kh2",
			"h", NULL), 0);
	CHECK_INT(cfg_client_finish(&c), 0);
	CHECK_INT(c.port, 22);
	CHECK_STR(c.user, pw->pw_name);
	CHECK_STR(c.hostname, "h");
	CHECK_INT(c.n_identity_files, 1);
	CHECK_STR(c.identity_files[0], "/home/tester/k");
	CHECK_STR(c.user_known_hosts, "/home/tester/kh /x /home/tester/kh2");
	CHECK_STR(c.global_known_hosts, "/etc/ssh/ssh_known_hosts /etc/ssh/ssh_known_hosts2");
	CHECK_INT(c.strict_host_key_checking, SHK_ASK);
	CHECK_INT(c.log_level, LOG_INFO);
	CHECK_INT(c.rekey_bytes, 0);
	CHECK_INT(c.rekey_seconds, 0);
	CHECK_INT(c.connect_timeout, 0);
	CHECK_INT(c.address_family, AF_UNSPEC);
	CHECK_INT(c.request_tty, REQUEST_TTY_AUTO);
	CHECK_INT(c.identities_only, 0);
	CHECK_INT(c.batch_mode, 0);
	CHECK_INT(c.hash_known_hosts, 0);
	CHECK_INT(c.no_shell, 0);
	CHECK_INT(c.compression, 0);
	cfg_client_free(&c);

	CHECK_INT(parse(&c, &msg, "burrow", "-o", "HostName=real", "h", NULL), 0);
	CHECK_INT(cfg_client_finish(&c), 0);
	CHECK_STR(c.hostname, "real");
	/* ssh's default identities, for the key types burrow knows, in ssh's order. */
	CHECK_INT(c.n_identity_files, 3);
	CHECK_STR(c.identity_files[0], "/home/tester/.ssh/id_rsa");
	CHECK_STR(c.identity_files[1], "/home/tester/.ssh/id_ecdsa");
	CHECK_STR(c.identity_files[2], "/home/tester/.ssh/id_ed25519");
	snprintf(want, sizeof(want), "%s", "/home/tester/.ssh/known_hosts /home/tester/.ssh/known_hosts2");
	CHECK_STR(c.user_known_hosts, want);
	cfg_client_free(&c);

	cfg_client_init(&c);
	CHECK_INT(cfg_client_finish(&c), ERR_INVALID_ARG); /* no host */
	cfg_client_free(&c);
}

int main(void)
{
	test_keywords();
	test_errors();
	test_args();
	test_destinations();
	test_finish();
	CHECK_DONE();
}
