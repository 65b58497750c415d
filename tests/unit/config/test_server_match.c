/*
 * sshd_config forwarding keywords, Match blocks, scfg_copy and burrowd -T -C.
 * Expected values and messages were taken from OpenSSH 9.2's sshd -T on the
 * same files.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../check.h"
#include "capture.h"
#include "tmpfiles.h"
#include "config/server_config.h"
#include "util/err.h"
#include "util/log.h"

/* Load text as a file and fill defaults; returns the load result, messages in *msg. */
static int load_text(struct server_config *c, const char *text, const char **msg)
{
	const char *path = write_file("t.cfg", text);
	int r;

	scfg_init(c);
	capture_start();
	r = scfg_load_file(c, path, 1);
	if (r == 0)
		r = scfg_finish(c);
	*msg = capture_end();
	return r;
}

/* Messages name the file; compare with "%s" standing for it. */
static void expect_error(const char *text, const char *want_fmt, int want_r)
{
	struct server_config c;
	const char *msg;
	char want[1024], path[600];
	const char *p;
	size_t k = 0;

	snprintf(path, sizeof(path), "%s/t.cfg", tmpdir);
	for (p = want_fmt; *p != '\0' && k + strlen(path) + 1 < sizeof(want); p++) {
		if (p[0] == '%' && p[1] == 's') {
			memcpy(want + k, path, strlen(path));
			k += strlen(path);
			p++;
		} else {
			want[k++] = *p;
		}
	}
	want[k] = '\0';
	CHECK_INT(load_text(&c, text, &msg), want_r);
	if (strcmp(msg, want) != 0)
		fprintf(stderr, "for [%s]\n got [%s]\nwant [%s]\n", text, msg, want);
	CHECK_STR(msg, want);
	scfg_free(&c);
}

static void test_keywords(void)
{
	struct server_config c;
	const char *msg;

	CHECK_INT(load_text(&c, "", &msg), 0);
	CHECK_INT(c.allow_tcp_forwarding, FWD_ALLOW_ALL);
	CHECK_INT(c.allow_streamlocal_forwarding, FWD_ALLOW_ALL);
	CHECK_INT(c.disable_forwarding, 0);
	CHECK_INT(c.gateway_ports, GATEWAY_NO);
	CHECK_INT(c.n_permit_open, 0);
	CHECK_INT(c.n_permit_listen, 0);
	scfg_free(&c);

	CHECK_INT(load_text(&c,
		"AllowTcpForwarding LOCAL\n"
		"AllowTcpForwarding no\n"
		"AllowStreamLocalForwarding remote\n"
		"DisableForwarding yes\n"
		"GatewayPorts clientspecified\n"
		"PermitOpen 127.0.0.1:80 [::1]:22 *:443 host:* :80 a:+1\n"
		"PermitOpen 1.2.3.4:5\n"
		"PermitListen 8080 localhost:9090 * [::1]:7000\n", &msg), 0);
	CHECK_STR(msg, "");
	CHECK_INT(c.allow_tcp_forwarding, FWD_ALLOW_LOCAL);
	CHECK_INT(c.allow_streamlocal_forwarding, FWD_ALLOW_REMOTE);
	CHECK_INT(c.disable_forwarding, 1);
	CHECK_INT(c.gateway_ports, GATEWAY_CLIENTSPECIFIED);
	/* One line, all its words; the second line is checked but ignored. */
	CHECK_INT(c.n_permit_open, 6);
	CHECK_STR(c.permit_open[0], "127.0.0.1:80");
	CHECK_STR(c.permit_open[1], "[::1]:22");
	CHECK_STR(c.permit_open[2], "*:443");
	CHECK_STR(c.permit_open[3], "host:*");
	CHECK_STR(c.permit_open[4], ":80");
	CHECK_STR(c.permit_open[5], "a:+1");
	/* A bare port listens anywhere: sshd stores "*:port". */
	CHECK_INT(c.n_permit_listen, 4);
	CHECK_STR(c.permit_listen[0], "*:8080");
	CHECK_STR(c.permit_listen[1], "localhost:9090");
	CHECK_STR(c.permit_listen[2], "*:*");
	CHECK_STR(c.permit_listen[3], "[::1]:7000");
	scfg_free(&c);

	CHECK_INT(load_text(&c, "AllowTcpForwarding all\nPermitOpen none\nPermitListen any\n",
			    &msg), 0);
	CHECK_INT(c.allow_tcp_forwarding, FWD_ALLOW_ALL);
	CHECK_INT(c.n_permit_open, 1);
	CHECK_STR(c.permit_open[0], "none");
	CHECK_INT(c.n_permit_listen, 1);
	CHECK_STR(c.permit_listen[0], "any");
	scfg_free(&c);

	expect_error("AllowTcpForwarding bogus\n",
		     "%s line 1: unsupported option \"bogus\".\n", ERR_FORMAT);
	expect_error("DisableForwarding true\n",
		     "%s line 1: unsupported option \"true\".\n", ERR_FORMAT);
	expect_error("GatewayPorts x\n", "%s line 1: unsupported option \"x\".\n", ERR_FORMAT);
	expect_error("PermitOpen host\n", "%s line 1: PermitOpen bad port number\n", ERR_FORMAT);
	expect_error("PermitOpen host:99999\n", "%s line 1: PermitOpen bad port number\n",
		     ERR_FORMAT);
	expect_error("PermitOpen host:0\n", "%s line 1: PermitOpen bad port number\n",
		     ERR_FORMAT);
	expect_error("PermitOpen ::1:80\n", "%s line 1: PermitOpen bad port number\n",
		     ERR_FORMAT);
	expect_error("PermitOpen [a:1\n", "%s line 1: PermitOpen missing host\n", ERR_FORMAT);
	expect_error("PermitOpen a/80\n", "%s line 1: PermitOpen missing host\n", ERR_FORMAT);
	expect_error("PermitOpen ANY\n", "%s line 1: PermitOpen bad port number\n", ERR_FORMAT);
	expect_error("PermitOpen a:1 none\n", "%s line 1: PermitOpen bad port number\n",
		     ERR_FORMAT);
	expect_error("PermitOpen any none\n",
		     "%s line 1: keyword PermitOpen extra arguments at end of line\n"
		     "%s: terminating, 1 bad configuration options\n", ERR_FORMAT);
	expect_error("PermitListen 0\n", "%s line 1: PermitListen bad port number\n",
		     ERR_FORMAT);
	expect_error("PermitListen abc\n", "%s line 1: PermitListen bad port number\n",
		     ERR_FORMAT);
	expect_error("PermitListen [::1]\n", "%s line 1: PermitListen bad port number\n",
		     ERR_FORMAT);
	expect_error("PermitOpen a:1\nPermitOpen bad\n",
		     "%s line 2: PermitOpen bad port number\n", ERR_FORMAT);
}

/* Effective configuration for one connection; *eff must be freed. */
static int effective(const char *text, const struct scfg_conn_info *ci,
		     struct server_config *eff)
{
	struct server_config c;
	const char *msg;
	int r;

	if ((r = load_text(&c, text, &msg)) != 0) {
		fprintf(stderr, "load failed: %s\n", msg);
		scfg_free(&c);
		return r;
	}
	r = scfg_copy(&c, eff);
	scfg_free(&c);
	if (r == 0)
		r = scfg_apply_match(eff, ci);
	return r;
}

/* allow_tcp_forwarding for a file whose one Match block sets it to "no". */
static int tcp_for(const char *match, const char *user, const char *host, const char *addr,
		   const char *laddr, int lport)
{
	struct scfg_conn_info ci = { user, host, addr, laddr, lport };
	struct server_config eff;
	char text[512];
	int v;

	snprintf(text, sizeof(text), "AllowTcpForwarding local\nMatch %s\n"
		 "  AllowTcpForwarding no\n", match);
	if (effective(text, &ci, &eff) != 0)
		return -100;
	v = eff.allow_tcp_forwarding;
	scfg_free(&eff);
	return v;
}

#define NO FWD_ALLOW_NO
#define GLOBAL FWD_ALLOW_LOCAL

static int fake_groups(const char *user, char ***names, int *n)
{
	static const char *const alice[] = { "alice", "staff", "wheel" };
	static const char *const bob[] = { "bob", "staff" };
	const char *const *g;
	int k;

	if (strcmp(user, "alice") == 0) {
		g = alice;
		k = 3;
	} else if (strcmp(user, "bob") == 0) {
		g = bob;
		k = 2;
	} else {
		return ERR_NOT_FOUND;
	}
	*names = calloc((size_t)k, sizeof(char *));
	for (int i = 0; i < k; i++)
		(*names)[i] = strdup(g[i]);
	*n = k;
	return 0;
}

static void test_criteria(void)
{
	const char *a4 = "192.0.2.5", *a6 = "2001:db8::5";

	/* User: case-sensitive patterns, lists, negation. */
	CHECK_INT(tcp_for("User alice", "alice", "h", a4, NULL, -1), NO);
	CHECK_INT(tcp_for("User alice", "bob", "h", a4, NULL, -1), GLOBAL);
	CHECK_INT(tcp_for("User ALICE", "alice", "h", a4, NULL, -1), GLOBAL);
	CHECK_INT(tcp_for("User al*", "alice", "h", a4, NULL, -1), NO);
	CHECK_INT(tcp_for("User=alice", "alice", "h", a4, NULL, -1), NO);
	CHECK_INT(tcp_for("User bob,alice", "alice", "h", a4, NULL, -1), NO);
	CHECK_INT(tcp_for("User !alice", "bob", "h", a4, NULL, -1), GLOBAL);
	CHECK_INT(tcp_for("User !alice,*", "bob", "h", a4, NULL, -1), NO);
	CHECK_INT(tcp_for("User !alice,*", "alice", "h", a4, NULL, -1), GLOBAL);
	CHECK_INT(tcp_for("User alice", NULL, "h", a4, NULL, -1), GLOBAL);
	/* Group (fake lookup): any group matches, a negated one vetoes. */
	scfg_set_groups_fn(fake_groups);
	CHECK_INT(tcp_for("Group wheel", "alice", "h", a4, NULL, -1), NO);
	CHECK_INT(tcp_for("Group wheel", "bob", "h", a4, NULL, -1), GLOBAL);
	CHECK_INT(tcp_for("Group staff", "bob", "h", a4, NULL, -1), NO);
	CHECK_INT(tcp_for("Group staff,!wheel", "alice", "h", a4, NULL, -1), GLOBAL);
	CHECK_INT(tcp_for("Group staff,!wheel", "bob", "h", a4, NULL, -1), NO);
	CHECK_INT(tcp_for("Group *", "nobody-here", "h", a4, NULL, -1), GLOBAL);
	scfg_set_groups_fn(NULL);
	/* The real lookup: root is in group root. */
	CHECK_INT(tcp_for("Group root", "root", "h", a4, NULL, -1), NO);
	/* Host: case-insensitive. */
	CHECK_INT(tcp_for("Host *.EXAMPLE.com", "u", "foo.example.com", a4, NULL, -1), NO);
	CHECK_INT(tcp_for("Host *.example.com", "u", "example.com", a4, NULL, -1), GLOBAL);
	/* Address: CIDR v4 and v6, patterns, negation. */
	CHECK_INT(tcp_for("Address 192.0.2.0/24", "u", "h", a4, NULL, -1), NO);
	CHECK_INT(tcp_for("Address 192.0.2.0/25", "u", "h", "192.0.2.200", NULL, -1), GLOBAL);
	CHECK_INT(tcp_for("Address 192.0.2.*", "u", "h", a4, NULL, -1), NO);
	CHECK_INT(tcp_for("Address !192.0.2.0/24,*", "u", "h", a4, NULL, -1), GLOBAL);
	CHECK_INT(tcp_for("Address !192.0.2.0/24,*", "u", "h", "198.51.100.1", NULL, -1), NO);
	CHECK_INT(tcp_for("Address 2001:db8::/32", "u", "h", a6, NULL, -1), NO);
	CHECK_INT(tcp_for("Address 2001:db8::/32", "u", "h", "2001:db9::5", NULL, -1), GLOBAL);
	CHECK_INT(tcp_for("Address !2001:db8::/32,*", "u", "h", a6, NULL, -1), GLOBAL);
	CHECK_INT(tcp_for("Address 0.0.0.0/0", "u", "h", a6, NULL, -1), GLOBAL);
	/* LocalAddress, LocalPort. */
	CHECK_INT(tcp_for("LocalAddress 127.0.0.0/8", "u", "h", a4, "127.0.0.1", 22), NO);
	CHECK_INT(tcp_for("LocalAddress 127.0.0.0/8", "u", "h", a4, "10.0.0.1", 22), GLOBAL);
	CHECK_INT(tcp_for("LocalAddress ::1", "u", "h", a4, "0:0::1", 22), NO);
	CHECK_INT(tcp_for("LocalPort 2222", "u", "h", a4, "127.0.0.1", 2222), NO);
	CHECK_INT(tcp_for("LocalPort 2222", "u", "h", a4, "127.0.0.1", 22), GLOBAL);
	CHECK_INT(tcp_for("LocalPort 2222", "u", "h", a4, "127.0.0.1", -1), GLOBAL);
	/* All, and several criteria that must all match. */
	CHECK_INT(tcp_for("All", "u", "h", a4, NULL, -1), NO);
	CHECK_INT(tcp_for("all", NULL, NULL, NULL, NULL, -1), NO);
	CHECK_INT(tcp_for("User alice Address 192.0.2.0/24", "alice", "h", a4, NULL, -1), NO);
	CHECK_INT(tcp_for("User alice Address 192.0.2.0/24", "alice", "h", "10.0.0.1", NULL, -1),
		  GLOBAL);
	CHECK_INT(tcp_for("User alice User bob", "alice", "h", a4, NULL, -1), GLOBAL);
	CHECK_INT(tcp_for("User alice # comment", "alice", "h", a4, NULL, -1), NO);
}

static const char blocks[] =
	"AllowTcpForwarding local\n"
	"GatewayPorts clientspecified\n"
	"PermitOpen 127.0.0.1:80 [::1]:22\n"
	"MaxAuthTries 5\n"
	"Match User alice\n"
	"  AllowTcpForwarding remote\n"
	"  PermitOpen none\n"
	"Match Address 192.0.2.0/24\n"
	"  AllowTcpForwarding no\n"
	"  GatewayPorts yes\n"
	"  DisableForwarding yes\n"
	"  PermitListen 8080\n"
	"  AuthorizedKeysFile /etc/keys/%u\n"
	"  PermitRootLogin no\n"
	"  MaxAuthTries 2\n"
	"  X11Forwarding no\n";

static void test_first_block_wins(void)
{
	struct scfg_conn_info ci = { "alice", "h", "192.0.2.5", NULL, -1 };
	struct server_config e;

	/* Both blocks match: the first value of each keyword wins, over the global one. */
	CHECK_INT(effective(blocks, &ci, &e), 0);
	CHECK_INT(e.allow_tcp_forwarding, FWD_ALLOW_REMOTE);
	CHECK_INT(e.gateway_ports, GATEWAY_YES);
	CHECK_INT(e.disable_forwarding, 1);
	CHECK_INT(e.n_permit_open, 1);
	CHECK_STR(e.permit_open[0], "none");
	CHECK_INT(e.n_permit_listen, 1);
	CHECK_STR(e.permit_listen[0], "*:8080");
	CHECK_INT(e.n_authorized_keys_files, 1);
	CHECK_STR(e.authorized_keys_files[0], "/etc/keys/%u");
	CHECK_INT(e.permit_root_login, PERMIT_ROOT_NO);
	CHECK_INT(e.max_auth_tries, 2);
	scfg_free(&e);

	/* Only the second block. */
	ci.user = "bob";
	CHECK_INT(effective(blocks, &ci, &e), 0);
	CHECK_INT(e.allow_tcp_forwarding, FWD_ALLOW_NO);
	CHECK_INT(e.n_permit_open, 2);
	CHECK_STR(e.permit_open[1], "[::1]:22");
	scfg_free(&e);

	/* Neither: the globals (and defaults) stay. */
	ci.addr = "10.0.0.1";
	CHECK_INT(effective(blocks, &ci, &e), 0);
	CHECK_INT(e.allow_tcp_forwarding, FWD_ALLOW_LOCAL);
	CHECK_INT(e.gateway_ports, GATEWAY_CLIENTSPECIFIED);
	CHECK_INT(e.disable_forwarding, 0);
	CHECK_INT(e.n_permit_listen, 0);
	CHECK_INT(e.n_authorized_keys_files, 2);
	CHECK_INT(e.max_auth_tries, 5);
	CHECK_INT(e.permit_root_login, PERMIT_ROOT_PROHIBIT_PASSWORD);
	scfg_free(&e);

	/* Without a connection only "Match All" applies; it beats the global value too. */
	CHECK_INT(effective("MaxAuthTries 5\nMatch User x\n  MaxAuthTries 4\nMatch All\n"
			    "  MaxAuthTries 3\n", NULL, &e), 0);
	CHECK_INT(e.max_auth_tries, 3);
	scfg_free(&e);
}

static void test_match_errors(void)
{
	expect_error("Match User x\n  Port 22\n",
		     "%s line 2: Directive 'Port' is not allowed within a Match block\n",
		     ERR_FORMAT);
	expect_error("Match User x\n  HostKey /k\n",
		     "%s line 2: Directive 'HostKey' is not allowed within a Match block\n",
		     ERR_FORMAT);
	expect_error("Match User x\n  ciphers aes128-ctr\n",
		     "%s line 2: Directive 'ciphers' is not allowed within a Match block\n",
		     ERR_FORMAT);
	expect_error("Match User x\n  Bogus 1\n",
		     "%s: line 2: Bad configuration option: Bogus\n"
		     "%s line 2: Directive 'Bogus' is not allowed within a Match block\n",
		     ERR_FORMAT);
	expect_error("Match Bogus x\n",
		     "Unsupported Match attribute Bogus\n%s line 1: Bad Match condition\n",
		     ERR_FORMAT);
	expect_error("Match User\n",
		     "Missing Match criteria for User\n%s line 1: Bad Match condition\n",
		     ERR_FORMAT);
	expect_error("Match User a Foo\n",
		     "Missing Match criteria for Foo\n%s line 1: Bad Match condition\n",
		     ERR_FORMAT);
	expect_error("Match\n", "%s line 1: no argument after keyword \"Match\"\n"
		     "%s: terminating, 1 bad configuration options\n", ERR_FORMAT);
	expect_error("Match all User x\n",
		     "'all' cannot be combined with other Match attributes\n"
		     "%s line 1: Bad Match condition\n", ERR_FORMAT);
	expect_error("Match LocalPort 70000\n",
		     "Invalid LocalPort '70000' on Match line\n%s line 1: Bad Match condition\n",
		     ERR_FORMAT);
	expect_error("Match Address 1.2.3.1/24\n",
		     "Invalid Match address argument '1.2.3.1/24' at line 1\n", ERR_FORMAT);
	expect_error("Match LocalAddress 1.2.3.0/33\n",
		     "Invalid Match localaddress argument '1.2.3.0/33' at line 1\n", ERR_FORMAT);
	/* Values inside a block are checked at load time, even if it never matches. */
	expect_error("Match User x\n  PermitOpen bad\n",
		     "%s line 2: PermitOpen bad port number\n", ERR_FORMAT);
	expect_error("Match User x\n  MaxAuthTries abc\n",
		     "%s line 2: MaxAuthTries integer value invalid.\n", ERR_FORMAT);
	/* A restriction burrowd cannot enforce stays refused inside a block. */
	expect_error("Match User x\n  AllowUsers y\n",
		     "%s: line 2: AllowUsers is not supported by burrowd yet\n"
		     "%s: terminating, 1 bad configuration options\n", ERR_FORMAT);
}

static void test_cmdline_match(void)
{
	struct server_config c;
	const char *msg;

	scfg_init(&c);
	capture_start();
	CHECK(scfg_apply(&c, "Match User x", "command-line", 0) < 0);
	msg = capture_end();
	CHECK_STR(msg, "Match directive not supported as a command-line option\n");
	/* -o PermitOpen is the first line, so it wins over the file's. */
	CHECK_INT(scfg_apply(&c, "PermitOpen a:1", "command-line", 0), 0);
	CHECK_INT(scfg_apply(&c, "PermitOpen b:1", "command-line", 0), 0);
	CHECK_INT(c.n_permit_open, 1);
	CHECK_STR(c.permit_open[0], "a:1");
	scfg_free(&c);
}

static void test_include_in_match(void)
{
	struct scfg_conn_info ci = { "x", "h", "1.1.1.1", NULL, -1 };
	struct server_config e;
	char text[1200];
	const char *inc = write_file("inc.cfg", "MaxAuthTries 2\nMatch User y\n  MaxAuthTries 9\n");

	/* Included lines join the enclosing block; a Match in the file ends with it. */
	snprintf(text, sizeof(text), "Match User x\n  Include %s\n", inc);
	CHECK_INT(effective(text, &ci, &e), 0);
	CHECK_INT(e.max_auth_tries, 2);
	scfg_free(&e);
	ci.user = "z";
	CHECK_INT(effective(text, &ci, &e), 0);
	CHECK_INT(e.max_auth_tries, 6);
	scfg_free(&e);
	ci.user = "y";
	CHECK_INT(effective(text, &ci, &e), 0);
	CHECK_INT(e.max_auth_tries, 9);
	scfg_free(&e);
}

static void test_copy(void)
{
	struct scfg_conn_info ci = { "alice", "h", "192.0.2.5", NULL, -1 };
	struct server_config c, d;
	const char *msg;

	CHECK_INT(load_text(&c, blocks, &msg), 0);
	CHECK_INT(scfg_copy(&c, &d), 0);
	CHECK(d.permit_open[0] != c.permit_open[0]);
	CHECK(d.authorized_keys_files[0] != c.authorized_keys_files[0]);
	CHECK(d.matches != NULL && d.matches != c.matches);
	CHECK(d.pid_file != c.pid_file);
	CHECK_STR(d.pid_file, c.pid_file);
	/* Changing the copy leaves the original alone, and the reverse. */
	CHECK_INT(scfg_apply_match(&d, &ci), 0);
	CHECK_INT(d.allow_tcp_forwarding, FWD_ALLOW_REMOTE);
	CHECK_INT(c.allow_tcp_forwarding, FWD_ALLOW_LOCAL);
	CHECK_INT(c.n_permit_open, 2);
	CHECK_STR(c.permit_open[0], "127.0.0.1:80");
	scfg_free(&c);
	/* The copy's Match blocks still work after the original is gone. */
	{
		struct server_config e;

		ci.user = "bob";
		CHECK_INT(scfg_copy(&d, &e), 0);
		scfg_free(&d);
		CHECK_INT(scfg_apply_match(&e, &ci), 0);
		CHECK_INT(e.gateway_ports, GATEWAY_YES);
		CHECK_INT(e.disable_forwarding, 1);
		scfg_free(&e);
	}
}

/* burrowd -T [-C spec] -f file: the forwarding lines of its output. */
static int dump_lines(const char *path, const char *spec, char *out, size_t len,
		      const char **err)
{
	const char *argv[8];
	struct server_config c;
	const char *text;
	static char errbuf[1024];
	int argc = 0, r;

	argv[argc++] = "burrowd";
	argv[argc++] = "-T";
	argv[argc++] = "-f";
	argv[argc++] = path;
	if (spec != NULL) {
		argv[argc++] = "-C";
		argv[argc++] = spec;
	}
	scfg_init(&c);
	capture_start();
	r = scfg_configure(&c, argc, (char **)argv);
	snprintf(errbuf, sizeof(errbuf), "%s", capture_end());
	*err = errbuf;
	out[0] = '\0';
	if (r == 0) {
		capture_start_fd(1);
		scfg_dump(&c);
		text = capture_end();
		/* Keep only the keywords this test is about. */
		for (const char *l = text; *l != '\0';) {
			const char *e = strchr(l, '\n');
			size_t n = e != NULL ? (size_t)(e - l + 1) : strlen(l);

			if (strncmp(l, "gatewayports ", 13) == 0 ||
			    strncmp(l, "allowtcpforwarding ", 19) == 0 ||
			    strncmp(l, "disableforwarding ", 18) == 0 ||
			    strncmp(l, "allowstreamlocalforwarding ", 27) == 0 ||
			    strncmp(l, "permitopen ", 11) == 0 ||
			    strncmp(l, "permitlisten ", 13) == 0 ||
			    strncmp(l, "maxauthtries ", 13) == 0)
				strncat(out, l, len - strlen(out) - 1 < n ? len - strlen(out) - 1 : n);
			l += n;
		}
	}
	scfg_free(&c);
	return r;
}

static void test_dump(void)
{
	const char *path, *err;
	char out[2048];

	path = write_file("dump.cfg",
		"HostKey /tmp/none\n"
		"AllowTcpForwarding local\n"
		"GatewayPorts clientspecified\n"
		"PermitOpen 127.0.0.1:80 [::1]:22 *:443 host:*\n"
		"PermitListen 8080 localhost:9090\n"
		"Match User alice\n"
		"  AllowTcpForwarding remote\n"
		"  PermitOpen none\n"
		"Match Address 192.0.2.0/24\n"
		"  AllowTcpForwarding no\n"
		"  GatewayPorts yes\n"
		"  DisableForwarding yes\n"
		"  AllowStreamLocalForwarding local\n");
	/* What OpenSSH 9.2's sshd -T printed for this file (same order here). */
	CHECK_INT(dump_lines(path, NULL, out, sizeof(out), &err), 0);
	CHECK_STR(out,
		"maxauthtries 6\n"
		"gatewayports clientspecified\n"
		"allowtcpforwarding local\n"
		"disableforwarding no\n"
		"allowstreamlocalforwarding yes\n"
		"permitopen 127.0.0.1:80 [::1]:22 *:443 host:*\n"
		"permitlisten *:8080 localhost:9090\n");
	CHECK_INT(dump_lines(path, "user=alice,host=h,addr=192.0.2.5", out, sizeof(out), &err),
		  0);
	CHECK_STR(out,
		"maxauthtries 6\n"
		"gatewayports yes\n"
		"allowtcpforwarding remote\n"
		"disableforwarding yes\n"
		"allowstreamlocalforwarding local\n"
		"permitopen none\n"
		"permitlisten *:8080 localhost:9090\n");
	CHECK_INT(dump_lines(path, "user=bob,host=h,addr=192.0.2.5,laddr=127.0.0.1,lport=22",
			     out, sizeof(out), &err), 0);
	CHECK_STR(out,
		"maxauthtries 6\n"
		"gatewayports yes\n"
		"allowtcpforwarding no\n"
		"disableforwarding yes\n"
		"allowstreamlocalforwarding local\n"
		"permitopen 127.0.0.1:80 [::1]:22 *:443 host:*\n"
		"permitlisten *:8080 localhost:9090\n");
	CHECK_INT(dump_lines(path, "user=alice,host=h,addr=10.0.0.1", out, sizeof(out), &err),
		  0);
	CHECK(strstr(out, "allowtcpforwarding remote\n") != NULL);
	CHECK(strstr(out, "gatewayports clientspecified\n") != NULL);

	/* -C mistakes, in sshd's words. */
	CHECK(dump_lines(path, "user=a,foo=3", out, sizeof(out), &err) < 0);
	CHECK_STR(err, "Invalid test mode specification foo=3\n");
	CHECK(dump_lines(path, "USER=a", out, sizeof(out), &err) < 0);
	CHECK_STR(err, "Invalid test mode specification USER=a\n");
	CHECK(dump_lines(path, "user=a,lport=x", out, sizeof(out), &err) < 0);
	CHECK_STR(err, "Invalid port 'x' in test mode specification lport=x\n");

	/* A LocalPort criterion needs lport in the spec (and -T alone fails too). */
	path = write_file("dump2.cfg", "Match LocalPort 2222\n  MaxAuthTries 3\n");
	CHECK(dump_lines(path, "user=a,host=h,addr=1.1.1.1", out, sizeof(out), &err) < 0);
	CHECK_STR(err, "'Match LocalPort' in configuration but 'lport' not in connection "
		  "test specification.\n");
	CHECK(dump_lines(path, NULL, out, sizeof(out), &err) < 0);
	CHECK_INT(dump_lines(path, "user=a,host=h,addr=1.1.1.1,lport=2222", out, sizeof(out),
			     &err), 0);
	CHECK(strstr(out, "maxauthtries 3\n") != NULL);
	CHECK_INT(dump_lines(path, "user=a,host=h,addr=1.1.1.1,lport=22", out, sizeof(out),
			     &err), 0);
	CHECK(strstr(out, "maxauthtries 6\n") != NULL);
}

static void test_conn_spec(void)
{
	struct scfg_conn_info ci;
	char spec[] = "user=alice,host=h.example,addr=192.0.2.5,laddr=127.0.0.1,lport=22";
	char spec2[] = "user=alice,user=bob";
	char spec3[] = "addr=::1,lport=0";

	CHECK_INT(scfg_parse_conn_spec(spec, &ci), 0);
	CHECK_STR(ci.user, "alice");
	CHECK_STR(ci.host, "h.example");
	CHECK_STR(ci.addr, "192.0.2.5");
	CHECK_STR(ci.laddr, "127.0.0.1");
	CHECK_INT(ci.lport, 22);
	CHECK_INT(scfg_parse_conn_spec(spec2, &ci), 0);
	CHECK_STR(ci.user, "bob");
	CHECK(ci.host == NULL);
	CHECK_INT(scfg_parse_conn_spec(spec3, &ci), 0);
	CHECK_STR(ci.addr, "::1");
	CHECK_INT(ci.lport, -1);
	CHECK(ci.user == NULL);
}

int main(void)
{
	char cmd[600];

	if (mkdtemp(tmpdir) == NULL)
		return 1;
	log_init("test", LOG_INFO);
	test_keywords();
	test_criteria();
	test_first_block_wins();
	test_match_errors();
	test_cmdline_match();
	test_include_in_match();
	test_copy();
	test_dump();
	test_conn_spec();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
	CHECK_DONE();
}
