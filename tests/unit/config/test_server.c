/* Server options: sshd_config files, -o/-p precedence, the three keyword classes, -T. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../check.h"
#include "capture.h"
#include "tmpfiles.h"
#include "config/alglist.h"
#include "config/server_config.h"
#include "crypto/crypto.h"
#include "crypto/key.h"
#include "util/err.h"
#include "util/log.h"

/*
 * A -T dump: tmpl with "%s" where the algorithm lines go (defaults for the
 * lists not given, as scfg_finish() resolves them).
 */
static void expect_dump(const char *msg, const char *ciphers, const char *kex,
			const char *hostkey, const char *tmpl)
{
	char algs[8192], *casig = NULL, *want;
	const char *at;
	size_t n;

	CHECK_INT(cfg_alg_resolve(CFG_ALG_CASIG, NULL, &casig), 0);
	snprintf(algs, sizeof(algs),
		 "compression yes\n"
		 "allowagentforwarding yes\n"
		 "trustedusercakeys none\n"
		 "ciphers %s\nmacs %s\nkexalgorithms %s\nhostkeyalgorithms %s\n"
		 "pubkeyacceptedalgorithms %s\ncasignaturealgorithms %s\n",
		 ciphers, mac_default_list(), kex, hostkey, key_alg_default_list(), casig);
	/* Not a format: the template also holds a literal "%h". */
	at = strstr(tmpl, "%s");
	CHECK(at != NULL);
	n = strlen(tmpl) + strlen(algs) + 1;
	want = malloc(n);
	CHECK(want != NULL);
	memcpy(want, tmpl, (size_t)(at - tmpl));
	snprintf(want + (at - tmpl), n - (size_t)(at - tmpl), "%s%s", algs, at + 2);
	if (strcmp(msg, want) != 0)
		fprintf(stderr, "dump: got [%s]\nwant [%s]\n", msg, want);
	CHECK_STR(msg, want);
	free(want);
	free(casig);
}

static int load(struct server_config *c, const char *path, const char **msg)
{
	int r;

	capture_start();
	r = scfg_load_file(c, path, 1);
	*msg = capture_end();
	return r;
}

static void test_good_file(void)
{
	struct server_config c;
	const char *msg, *path;

	path = write_file("good.cfg",
		"# burrowd test\n"
		"\n"
		"Port 2222\n"
		"port=2223\n"
		"  ListenAddress 127.0.0.1\n"
		"ListenAddress [::1]:2200\n"
		"ListenAddress 10.0.0.1:99\n"
		"ListenAddress ::1\n"
		"HostKey /k1\n"
		"HostKey \"/k 2\"\n"
		"AuthorizedKeysFile .ssh/a \"b c\" %h/d\n"
		"PidFile /run/x.pid\n"
		"LogLevel VERBOSE\n"
		"PermitRootLogin without-password\n"
		"MaxAuthTries 3\n"
		"RekeyLimit 1G 1h\n"
		"Ciphers aes128-ctr\n"
		"KexAlgorithms curve25519-sha256\n"
		"HostKeyAlgorithms ssh-ed25519\n"
		"LoginGraceTime 2m # two minutes\n"
		"AddressFamily inet\n"
		/* Harmless ones from a stock Debian file. */
		"KbdInteractiveAuthentication no\n"
		"UsePAM yes\n"
		"X11Forwarding yes\n"
		"PrintMotd no\n"
		"AcceptEnv LANG LC_*\n"
		"Subsystem\tsftp\t/usr/lib/openssh/sftp-server\n"
		"PubkeyAuthentication yes\n"
		"AllowTcpForwarding yes\n"
		"Banner none\n"
		"Include /nonexistent-burrow-dir/*.conf\n"
		/* Single-value keywords keep the first value. */
		"PidFile /other\n"
		"MaxAuthTries 9\n"
		"AuthorizedKeysFile /z\n"
		"PermitRootLogin yes\n");
	scfg_init(&c);
	CHECK_INT(load(&c, path, &msg), 0);
	CHECK_STR(msg, "");
	CHECK_INT(c.n_ports, 2);
	CHECK_INT(c.ports[0], 2222);
	CHECK_INT(c.ports[1], 2223);
	CHECK_INT(c.n_listen_addresses, 4);
	CHECK_STR(c.listen_addresses[0], "127.0.0.1");
	CHECK_STR(c.listen_addresses[1], "[::1]:2200");
	CHECK_STR(c.listen_addresses[3], "::1");
	CHECK_INT(c.n_host_keys, 2);
	CHECK_STR(c.host_keys[1], "/k 2");
	CHECK_INT(c.n_authorized_keys_files, 3);
	CHECK_STR(c.authorized_keys_files[1], "b c");
	CHECK_STR(c.authorized_keys_files[2], "%h/d");
	CHECK_STR(c.pid_file, "/run/x.pid");
	CHECK_INT(c.log_level, LOG_VERBOSE);
	CHECK_INT(c.permit_root_login, PERMIT_ROOT_PROHIBIT_PASSWORD);
	CHECK_INT(c.max_auth_tries, 3);
	CHECK_INT(c.rekey_bytes, 1073741824);
	CHECK_INT(c.rekey_seconds, 3600);
	CHECK_STR(c.ciphers, "aes128-ctr");
	CHECK_STR(c.kex_algorithms, "curve25519-sha256");
	CHECK_STR(c.host_key_algorithms, "ssh-ed25519");
	CHECK_INT(c.login_grace_time, 120);
	CHECK_INT(c.address_family, AF_INET);

	CHECK_INT(scfg_finish(&c), 0);
	capture_start_fd(1);
	scfg_dump(&c);
	msg = capture_end();
	expect_dump(msg, "aes128-ctr", "curve25519-sha256", "ssh-ed25519",
		"port 2222\n"
		"port 2223\n"
		"addressfamily inet\n"
		"listenaddress 127.0.0.1:2222\n"
		"listenaddress 127.0.0.1:2223\n"
		"listenaddress [::1]:2200\n"
		"listenaddress 10.0.0.1:99\n"
		"listenaddress [::1]:2222\n"
		"listenaddress [::1]:2223\n"
		"logingracetime 120\n"
		"maxauthtries 3\n"
		"permitrootlogin prohibit-password\n"
		"pidfile /run/x.pid\n"
		"loglevel VERBOSE\n"
		"authorizedkeysfile .ssh/a b c %h/d\n"
		"hostkey /k1\n"
		"hostkey /k 2\n"
		"rekeylimit 1073741824 3600\n"
		"%s"
		"gatewayports no\n"
		"allowtcpforwarding yes\n"
		"disableforwarding no\n"
		"allowstreamlocalforwarding yes\n"
		"permitopen any\n"
		"permitlisten any\n"
		"printmotd no\n"
		"strictmodes yes\n"
		"permittty yes\n"
		"clientaliveinterval 0\n"
		"clientalivecountmax 3\n"
		"acceptenv LANG\n"
		"acceptenv LC_*\n"
		"subsystem sftp /usr/lib/openssh/sftp-server\n"
		"usepam yes\n"
		"passwordauthentication yes\n"
		"kbdinteractiveauthentication no\n"
		"permitemptypasswords no\n"
		"authenticationmethods any\n");
	scfg_free(&c);
}

/* Copy tmpl to out with every "%s" replaced by path. */
static void subst_path(char *out, size_t n, const char *tmpl, const char *path)
{
	size_t k = 0, pl = strlen(path);

	for (; *tmpl != '\0' && k + pl + 1 < n; tmpl++) {
		if (tmpl[0] == '%' && tmpl[1] == 's') {
			memcpy(out + k, path, pl);
			k += pl;
			tmpl++;
		} else {
			out[k++] = *tmpl;
		}
	}
	out[k] = '\0';
}

static void expect_file_error(const char *text, const char *want_fmt, int want_r)
{
	struct server_config c;
	const char *msg, *path = write_file("bad.cfg", text);
	char want[1024];

	subst_path(want, sizeof(want), want_fmt, path);
	scfg_init(&c);
	CHECK_INT(load(&c, path, &msg), want_r);
	if (strcmp(msg, want) != 0)
		fprintf(stderr, "got [%s]\nwant [%s]\n", msg, want);
	CHECK_STR(msg, want);
	scfg_free(&c);
}

static void test_bad_files(void)
{
	expect_file_error("Port 22\n# x\nFoo bar\n",
		"%s: line 3: Bad configuration option: Foo\n"
		"%s: terminating, 1 bad configuration options\n", ERR_FORMAT);
	expect_file_error("Foo bar\nBar baz\nPort 1\n",
		"%s: line 1: Bad configuration option: Foo\n"
		"%s: line 2: Bad configuration option: Bar\n"
		"%s: terminating, 2 bad configuration options\n", ERR_FORMAT);
	/* Restrictions burrowd cannot enforce are refused, never ignored. */
	expect_file_error("UsePAM yes\nAllowUsers alice\n",
		"%s: line 2: AllowUsers is not supported by burrowd yet\n"
		"%s: terminating, 1 bad configuration options\n", ERR_FORMAT);
	expect_file_error("Match User bob\n  ForceCommand /bin/true\n",
		"%s: line 2: ForceCommand is not supported by burrowd yet\n"
		"%s: terminating, 1 bad configuration options\n", ERR_FORMAT);
	expect_file_error("PubkeyAuthentication no\n",
		"%s: line 1: PubkeyAuthentication is not supported by burrowd yet\n"
		"%s: terminating, 1 bad configuration options\n", ERR_FORMAT);
	expect_file_error("MaxStartups 3\n",
		"%s: line 1: MaxStartups is not supported by burrowd yet\n"
		"%s: terminating, 1 bad configuration options\n", ERR_FORMAT);
	expect_file_error("Port\n",
		"%s line 1: no argument after keyword \"Port\"\n"
		"%s: terminating, 1 bad configuration options\n", ERR_FORMAT);
	expect_file_error("PermitRootLogin yes no\n",
		"%s line 1: keyword PermitRootLogin extra arguments at end of line\n"
		"%s: terminating, 1 bad configuration options\n", ERR_FORMAT);
	expect_file_error("Port \"22\n",
		"%s line 1: invalid quotes\n"
		"%s: terminating, 1 bad configuration options\n", ERR_FORMAT);
	/* Bad values stop at once, as sshd's fatal(). */
	expect_file_error("Port abc\nFoo bar\n", "%s line 1: Badly formatted port number.\n",
			  ERR_FORMAT);
	expect_file_error("Port 65536\n", "%s line 1: Badly formatted port number.\n", ERR_FORMAT);
	expect_file_error("ListenAddress [::1]:x\n", "%s line 1: bad port number\n", ERR_FORMAT);
	expect_file_error("ListenAddress [::1\n", "%s line 1: bad address:port usage\n", ERR_FORMAT);
	expect_file_error("ListenAddress 1.2.3.4:99999\n", "%s line 1: bad port number\n",
			  ERR_FORMAT);
	expect_file_error("PermitRootLogin maybe\n", "%s line 1: unsupported option \"maybe\".\n",
			  ERR_FORMAT);
	expect_file_error("MaxAuthTries x\n", "%s line 1: MaxAuthTries integer value invalid.\n",
			  ERR_FORMAT);
	expect_file_error("MaxAuthTries -1\n", "%s line 1: MaxAuthTries integer value too small.\n",
			  ERR_FORMAT);
	expect_file_error("MaxAuthTries 99999999999\n",
			  "%s line 1: MaxAuthTries integer value too large.\n", ERR_FORMAT);
	expect_file_error("LoginGraceTime x\n", "%s line 1: invalid time value.\n", ERR_FORMAT);
	expect_file_error("LogLevel x\n", "%s line 1: unsupported log level 'x'\n", ERR_FORMAT);
	expect_file_error("RekeyLimit 1\n", "%s line 1: RekeyLimit too small\n", ERR_FORMAT);
	expect_file_error("RekeyLimit x\n",
			  "%s line 1: Bad RekeyLimit number 'x': Invalid argument\n", ERR_FORMAT);
	expect_file_error("RekeyLimit 1G x\n", "%s line 1: invalid time value.\n", ERR_FORMAT);
}

static void test_ignored_logged(void)
{
	struct server_config c;
	const char *msg;

	/* Harmless keywords are logged at DEBUG1 only. */
	log_set_level(LOG_DEBUG1);
	scfg_init(&c);
	capture_start();
	CHECK_INT(scfg_apply(&c, "TCPKeepAlive yes", "f", 1), 0);
	CHECK_INT(scfg_apply(&c, "x11forwarding=yes", "f", 2), 0);
	msg = capture_end();
	CHECK_STR(msg, "debug1: Ignoring unsupported option TCPKeepAlive\r\n"
		  "debug1: Ignoring unsupported option X11Forwarding\r\n");
	scfg_free(&c);
	log_set_level(LOG_INFO);
}

static void test_missing_and_include(void)
{
	struct server_config c;
	const char *msg;
	char path[512], inc[1024];

	snprintf(path, sizeof(path), "%s/does-not-exist", tmpdir);
	scfg_init(&c);
	capture_start();
	CHECK_INT(scfg_load_file(&c, path, 0), 0); /* the default file is optional */
	msg = capture_end();
	CHECK_STR(msg, "");
	capture_start();
	CHECK(scfg_load_file(&c, path, 1) < 0);
	msg = capture_end();
	snprintf(inc, sizeof(inc), "%s: No such file or directory\n", path);
	CHECK_STR(msg, inc);
	scfg_free(&c);

	/* Include: matching files are read in place. */
	snprintf(path, sizeof(path), "%s/inc.d", tmpdir);
	mkdir(path, 0700);
	write_file("inc.d/a.conf", "Port 7001\n");
	write_file("inc.d/b.conf", "MaxAuthTries 2\n");
	snprintf(inc, sizeof(inc), "Include %s/inc.d/*.conf\nPort 7002\nMaxAuthTries 4\n", tmpdir);
	scfg_init(&c);
	CHECK_INT(load(&c, write_file("main.cfg", inc), &msg), 0);
	CHECK_STR(msg, "");
	CHECK_INT(c.n_ports, 2);
	CHECK_INT(c.ports[0], 7001);
	CHECK_INT(c.ports[1], 7002);
	CHECK_INT(c.max_auth_tries, 2);
	scfg_free(&c);
}

static int parse(struct server_config *c, const char **msg, ...)
{
	const char *argv[32];
	va_list ap;
	int argc = 0, r;

	va_start(ap, msg);
	while ((argv[argc] = va_arg(ap, const char *)) != NULL)
		argc++;
	va_end(ap);
	scfg_init(c);
	capture_start();
	r = scfg_parse_args(c, argc, (char **)argv);
	*msg = capture_end();
	return r;
}

static const char usage[] =
	"usage: burrowd [-46DdeiqTt] [-C connection_spec] [-E log_file]\n"
	"               [-f config_file] [-h host_key_file] [-o option] [-p port]\n";

static void test_args(void)
{
	struct server_config c;
	const char *msg, *cfg;

	cfg = write_file("args.cfg", "Port 2\nMaxAuthTries 3\nHostKey /hk\nListenAddress 127.0.0.1\n"
			 "PidFile /file.pid\n");

	/* -o is applied before the file: single values from -o win, lists accumulate. */
	CHECK_INT(parse(&c, &msg, "burrowd", "-f", cfg, "-o", "Port=1", "-o", "MaxAuthTries=5",
			"-o", "PidFile=/o.pid", "-h", "/hk0", NULL), 0);
	CHECK_STR(msg, "");
	CHECK_INT(c.config_file_explicit, 1);
	CHECK_STR(c.config_file, cfg);
	CHECK_INT(scfg_load_file(&c, c.config_file, c.config_file_explicit), 0);
	CHECK_INT(scfg_finish(&c), 0);
	CHECK_INT(c.n_ports, 2);
	CHECK_INT(c.ports[0], 1);
	CHECK_INT(c.ports[1], 2);
	CHECK_INT(c.max_auth_tries, 5);
	CHECK_STR(c.pid_file, "/o.pid");
	CHECK_INT(c.n_host_keys, 2);
	CHECK_STR(c.host_keys[0], "/hk0");
	CHECK_STR(c.host_keys[1], "/hk");
	scfg_free(&c);

	/* -p replaces the file's ports (sshd), but keeps an earlier -o Port. */
	CHECK_INT(parse(&c, &msg, "burrowd", "-f", cfg, "-p", "3", "-o", "Port=1", "-p4", NULL), 0);
	CHECK_INT(scfg_load_file(&c, c.config_file, 1), 0);
	CHECK_INT(c.n_ports, 2);
	CHECK_INT(c.ports[0], 3);
	CHECK_INT(c.ports[1], 4);
	scfg_free(&c);
	CHECK_INT(parse(&c, &msg, "burrowd", "-o", "Port=1", "-p", "3", NULL), 0);
	CHECK_INT(c.n_ports, 2);
	CHECK_INT(c.ports[0], 1);
	CHECK_INT(c.ports[1], 3);
	scfg_free(&c);

	/* Flags. */
	CHECK_INT(parse(&c, &msg, "burrowd", "-ddd", "-t", "-T", "-E", "/log", "-6", NULL), 0);
	CHECK_INT(c.debug, 3);
	CHECK_INT(c.log_level, LOG_DEBUG3);
	CHECK_INT(c.no_daemon, 1);
	CHECK_INT(c.log_stderr, 1);
	CHECK_INT(c.test_only, 1);
	CHECK_INT(c.dump_config, 1);
	CHECK_STR(c.log_file, "/log");
	CHECK_INT(c.address_family, AF_INET6);
	CHECK_INT(c.config_file_explicit, 0);
	CHECK_STR(c.config_file, "/etc/ssh/sshd_config");
	scfg_free(&c);
	CHECK_INT(parse(&c, &msg, "burrowd", "-D", "-e", "-q", "-4", NULL), 0);
	CHECK_INT(c.no_daemon, 1);
	CHECK_INT(c.log_stderr, 1);
	CHECK_INT(c.quiet, 1);
	CHECK_INT(c.log_level, LOG_QUIET);
	CHECK_INT(c.address_family, AF_INET);
	scfg_free(&c);

	/* Errors. */
	CHECK(parse(&c, &msg, "burrowd", "-Z", NULL) < 0);
	CHECK(strstr(msg, usage) != NULL);
	scfg_free(&c);
	CHECK(parse(&c, &msg, "burrowd", "-p", NULL) < 0);
	CHECK(strstr(msg, usage) != NULL);
	scfg_free(&c);
	CHECK(parse(&c, &msg, "burrowd", "-p", "abc", NULL) < 0);
	CHECK_STR(msg, "Bad port number.\n");
	scfg_free(&c);
	CHECK(parse(&c, &msg, "burrowd", "-p", "0", NULL) < 0);
	CHECK_STR(msg, "Bad port number.\n");
	scfg_free(&c);
	CHECK(parse(&c, &msg, "burrowd", "extra", NULL) < 0);
	CHECK_STR(msg, "Extra argument extra.\n");
	scfg_free(&c);
	CHECK(parse(&c, &msg, "burrowd", "-o", "Foo=bar", NULL) < 0);
	CHECK_STR(msg, "command-line: line 0: Bad configuration option: Foo\n");
	scfg_free(&c);
	CHECK(parse(&c, &msg, "burrowd", "-o", "Port=x", NULL) < 0);
	CHECK_STR(msg, "command-line line 0: Badly formatted port number.\n");
	scfg_free(&c);
	CHECK(parse(&c, &msg, "burrowd", "-o", "DenyUsers=root", NULL) < 0);
	CHECK_STR(msg, "command-line: line 0: DenyUsers is not supported by burrowd yet\n");
	scfg_free(&c);
}

static void test_defaults_and_listen(void)
{
	struct server_config c;
	const char *msg;
	char *host;
	int port;

	scfg_init(&c);
	CHECK_INT(scfg_finish(&c), 0);
	CHECK_STR(c.config_file, "/etc/ssh/sshd_config");
	CHECK_INT(c.n_ports, 1);
	CHECK_INT(c.ports[0], 22);
	CHECK_INT(c.n_host_keys, 1);
	CHECK_STR(c.host_keys[0], "/etc/ssh/ssh_host_ed25519_key");
	CHECK_INT(c.n_authorized_keys_files, 2);
	CHECK_STR(c.authorized_keys_files[0], ".ssh/authorized_keys");
	CHECK_STR(c.authorized_keys_files[1], ".ssh/authorized_keys2");
	CHECK_STR(c.pid_file, "/run/burrowd.pid");
	CHECK_INT(c.log_level, LOG_INFO);
	CHECK_INT(c.permit_root_login, PERMIT_ROOT_PROHIBIT_PASSWORD);
	CHECK_INT(c.max_auth_tries, 6);
	CHECK_INT(c.login_grace_time, 120);
	CHECK_INT(c.rekey_bytes, 0);
	CHECK_INT(c.rekey_seconds, 0);
	capture_start_fd(1);
	scfg_dump(&c);
	msg = capture_end();
	expect_dump(msg, cipher_default_list(), kex_default_list(), key_alg_default_list(),
		"port 22\n"
		"addressfamily any\n"
		"listenaddress [::]:22\n"
		"listenaddress 0.0.0.0:22\n"
		"logingracetime 120\n"
		"maxauthtries 6\n"
		"permitrootlogin prohibit-password\n"
		"pidfile /run/burrowd.pid\n"
		"loglevel INFO\n"
		"authorizedkeysfile .ssh/authorized_keys .ssh/authorized_keys2\n"
		"hostkey /etc/ssh/ssh_host_ed25519_key\n"
		"rekeylimit 0 0\n"
		"%s"
		"gatewayports no\n"
		"allowtcpforwarding yes\n"
		"disableforwarding no\n"
		"allowstreamlocalforwarding yes\n"
		"permitopen any\n"
		"permitlisten any\n"
		"printmotd yes\n"
		"strictmodes yes\n"
		"permittty yes\n"
		"clientaliveinterval 0\n"
		"clientalivecountmax 3\n"
		"usepam no\n"
		"passwordauthentication yes\n"
		"kbdinteractiveauthentication yes\n"
		"permitemptypasswords no\n"
		"authenticationmethods any\n");
	scfg_free(&c);

	CHECK_INT(scfg_parse_listen_address("127.0.0.1", &host, &port), 0);
	CHECK_STR(host, "127.0.0.1");
	CHECK_INT(port, 0);
	free(host);
	CHECK_INT(scfg_parse_listen_address("127.0.0.1:2222", &host, &port), 0);
	CHECK_STR(host, "127.0.0.1");
	CHECK_INT(port, 2222);
	free(host);
	CHECK_INT(scfg_parse_listen_address("[::1]:2200", &host, &port), 0);
	CHECK_STR(host, "::1");
	CHECK_INT(port, 2200);
	free(host);
	CHECK_INT(scfg_parse_listen_address("[::1]", &host, &port), 0);
	CHECK_STR(host, "::1");
	CHECK_INT(port, 0);
	free(host);
	CHECK_INT(scfg_parse_listen_address("fe80::1", &host, &port), 0);
	CHECK_STR(host, "fe80::1");
	CHECK_INT(port, 0);
	free(host);
	CHECK_INT(scfg_parse_listen_address("localhost:22", &host, &port), 0);
	CHECK_STR(host, "localhost");
	CHECK_INT(port, 22);
	free(host);
	host = NULL;
	CHECK(scfg_parse_listen_address("[::1", &host, &port) < 0);
	CHECK(scfg_parse_listen_address("[::1]x", &host, &port) < 0);
	CHECK(scfg_parse_listen_address("[]:22", &host, &port) < 0);
	CHECK(scfg_parse_listen_address(":22", &host, &port) < 0);
	CHECK(scfg_parse_listen_address("h:0", &host, &port) < 0);
	CHECK(scfg_parse_listen_address("h:", &host, &port) < 0);
	CHECK(host == NULL);
}

int main(void)
{
	char cmd[600];

	if (mkdtemp(tmpdir) == NULL)
		return 1;
	log_init("test", LOG_INFO);
	test_good_file();
	test_bad_files();
	test_ignored_logged();
	test_missing_and_include();
	test_args();
	test_defaults_and_listen();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
	CHECK_DONE();
}
