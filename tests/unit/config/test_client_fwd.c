/* Forwarding options: -L/-R specs, LocalForward, -W, -J/ProxyJump, -g/-N/-T. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "../check.h"
#include "capture.h"
#include "parse_args.h"
#include "config/client_config.h"
#include "util/err.h"

/* Expected fields; NULL / -1 where unset. */
struct fwd_case {
	const char *spec;
	int remote;
	const char *lhost;
	int lport;
	const char *lpath;
	const char *chost;
	int cport;
	const char *cpath;
	const char *text; /* cfg_fwd_spec_format(), NULL: same as spec */
};

static const struct fwd_case good[] = {
	{ "8080:localhost:80", 0, NULL, 8080, NULL, "localhost", 80, NULL, NULL },
	{ "127.0.0.1:8080:web:80", 0, "127.0.0.1", 8080, NULL, "web", 80, NULL, NULL },
	{ "bind.example:1:h:2", 0, "bind.example", 1, NULL, "h", 2, NULL, NULL },
	{ "*:3456:localhost:80", 0, "*", 3456, NULL, "localhost", 80, NULL, NULL },
	{ ":8080:h:80", 0, "", 8080, NULL, "h", 80, NULL, NULL },
	{ "[::1]:8080:[2001:db8::5]:80", 0, "::1", 8080, NULL, "2001:db8::5", 80, NULL, NULL },
	{ "8080:[2001:db8::5]:80", 0, NULL, 8080, NULL, "2001:db8::5", 80, NULL, NULL },
	{ "[127.0.0.1]:1:[h]:2", 0, "127.0.0.1", 1, NULL, "h", 2, NULL, "127.0.0.1:1:h:2" },
	{ "65535:h:65535", 0, NULL, 65535, NULL, "h", 65535, NULL, NULL },
	{ "  22:h:22", 0, NULL, 22, NULL, "h", 22, NULL, "22:h:22" },
	{ "0080:h:22", 0, NULL, 80, NULL, "h", 22, NULL, "80:h:22" },
	/* Unix sockets on either side. */
	{ "/tmp/sock:host:80", 0, NULL, -1, "/tmp/sock", "host", 80, NULL, NULL },
	{ "8080:/remote/sock", 0, NULL, 8080, NULL, NULL, -1, "/remote/sock", NULL },
	{ "/a:/b", 0, NULL, -1, "/a", NULL, -1, "/b", NULL },
	{ "[::1]:8080:/run/x.sock", 0, "::1", 8080, NULL, NULL, -1, "/run/x.sock", NULL },
	{ "/a\\:b:h:1", 0, NULL, -1, "/a:b", "h", 1, NULL, "/a:b:h:1" },
	/* -R: listen port 0 allowed; "port" / "bind:port" dynamic (no target yet). */
	{ "0:h:1", 1, NULL, 0, NULL, "h", 1, NULL, NULL },
	{ "1080", 1, NULL, 1080, NULL, NULL, -1, NULL, NULL },
	{ "[::1]:1080", 1, "::1", 1080, NULL, NULL, -1, NULL, NULL },
	{ "8080:h:80", 1, NULL, 8080, NULL, "h", 80, NULL, NULL },
};

static const struct { const char *spec; int remote; } bad[] = {
	{ "foo", 0 }, { "abc", 0 }, { "", 0 }, { "8080", 0 }, { "1:h", 0 },
	{ "65536:h:1", 0 }, { "1:h:65536", 0 }, { "0:h:1", 0 }, { "1:h:0", 0 },
	{ "abc:h:1", 0 }, { "1:h:abc", 0 }, { "-1:h:1", 0 }, { "1:h:+2", 0 },
	{ "h:1:h", 0 }, { "b:1:h:2:3", 0 }, { "1:[::1:2", 0 }, { "[::1]x:1:h:2", 0 },
	{ "1:h:", 0 }, { "/a", 0 }, { "1080", 0 }, { "b:1080", 0 }, { "1:h:2\\", 0 },
	{ "1:h", 1 }, { "65536", 1 }, { "x", 1 }, { "1:h:0", 1 },
};

static int opt_eq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static void test_fwd_specs(void)
{
	char text[CFG_FWD_FMT_MAX];
	char path[200];

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		const struct fwd_case *t = &good[i];
		struct fwd_spec f;
		int ok;

		if (cfg_parse_fwd_spec(t->spec, t->remote, &f) != 0) {
			fprintf(stderr, "rejected good spec [%s]\n", t->spec);
			CHECK(0);
			continue;
		}
		ok = opt_eq(f.listen_host, t->lhost) && f.listen_port == t->lport &&
		     opt_eq(f.listen_path, t->lpath) && opt_eq(f.connect_host, t->chost) &&
		     f.connect_port == t->cport && opt_eq(f.connect_path, t->cpath);
		if (!ok)
			fprintf(stderr, "wrong fields for [%s]\n", t->spec);
		CHECK(ok);
		CHECK_INT(cfg_fwd_spec_format(&f, text, sizeof(text)), 0);
		if (strcmp(text, t->text != NULL ? t->text : t->spec) != 0)
			fprintf(stderr, "format [%s] gave [%s]\n", t->spec, text);
		CHECK_STR(text, t->text != NULL ? t->text : t->spec);
		CHECK_INT(cfg_fwd_spec_format(&f, text, 3), ERR_TOO_LARGE);
		CHECK_INT((int)strlen(text), 2);
		cfg_fwd_spec_free(&f);
		CHECK(f.listen_host == NULL && f.connect_host == NULL);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct fwd_spec f;

		memset(&f, 0x5a, sizeof(f));
		if (cfg_parse_fwd_spec(bad[i].spec, bad[i].remote, &f) != ERR_FORMAT) {
			fprintf(stderr, "accepted bad spec [%s]\n", bad[i].spec);
			CHECK(0);
		}
	}
	/* A socket path must fit in sun_path. */
	memset(path, 'a', sizeof(path));
	path[0] = '/';
	memcpy(path + 150, ":h:1", 5);
	{
		struct fwd_spec f;

		CHECK_INT(cfg_parse_fwd_spec(path, 0, &f), ERR_FORMAT);
	}
}

static int apply(struct client_config *c, const char *kv, const char **msg)
{
	int r;

	capture_start();
	r = cfg_client_apply(c, kv, "command-line");
	*msg = capture_end();
	return r;
}

static void test_keywords(void)
{
	struct client_config c;
	const char *msg;

	cfg_client_init(&c);
	CHECK_INT(apply(&c, "LocalForward 8080 localhost:80", &msg), 0);
	CHECK_STR(msg, "");
	CHECK_INT(apply(&c, "LocalForward=[::1]:1 [2001:db8::5]:2", &msg), 0);
	CHECK_INT(apply(&c, "LocalForward 3:h:4", &msg), 0); /* the -L form too */
	CHECK_INT(apply(&c, "LocalForward /tmp/s /r/s", &msg), 0);
	CHECK_INT(c.n_local_forwards, 4);
	CHECK_INT(c.local_forwards[0].listen_port, 8080);
	CHECK_STR(c.local_forwards[0].connect_host, "localhost");
	CHECK_STR(c.local_forwards[1].listen_host, "::1");
	CHECK_STR(c.local_forwards[1].connect_host, "2001:db8::5");
	CHECK_INT(c.local_forwards[1].connect_port, 2);
	CHECK_INT(c.local_forwards[2].connect_port, 4);
	CHECK_STR(c.local_forwards[3].listen_path, "/tmp/s");
	CHECK_STR(c.local_forwards[3].connect_path, "/r/s");

	CHECK_INT(apply(&c, "GatewayPorts yes", &msg), 0);
	CHECK_INT(apply(&c, "GatewayPorts no", &msg), 0);
	CHECK_INT(c.gateway_ports, 1);
	CHECK_INT(apply(&c, "ExitOnForwardFailure yes", &msg), 0);
	CHECK_INT(c.exit_on_forward_failure, 1);
	CHECK_INT(apply(&c, "ClearAllForwardings no", &msg), 0);
	CHECK_INT(c.clear_all_forwardings, 0);
	CHECK_INT(apply(&c, "ProxyJump u@j1:2200,[::1]:22", &msg), 0);
	CHECK_INT(apply(&c, "ProxyJump other", &msg), 0);
	CHECK_STR(c.proxy_jump, "u@j1:2200,[::1]:22");
	/* ProxyJump came first: a later ProxyCommand is ignored, as ssh does. */
	CHECK_INT(apply(&c, "ProxyCommand nc %h %p", &msg), 0);
	CHECK_STR(msg, "");
	cfg_client_free(&c);

	/* Accumulation up to the limit. */
	cfg_client_init(&c);
	for (int i = 0; i < CFG_MAX_FORWARDS; i++)
		CHECK_INT(apply(&c, "LocalForward 1 h:2", &msg), 0);
	CHECK_INT(apply(&c, "LocalForward 1 h:2", &msg), ERR_TOO_LARGE);
	CHECK_INT(c.n_local_forwards, CFG_MAX_FORWARDS);
	cfg_client_free(&c);

	/* "ProxyCommand none" first: a later ProxyJump loses; "ProxyJump none" wins. */
	cfg_client_init(&c);
	CHECK_INT(apply(&c, "ProxyCommand none", &msg), 0);
	CHECK_INT(apply(&c, "ProxyJump j", &msg), 0);
	CHECK(c.proxy_jump == NULL);
	cfg_client_free(&c);
	cfg_client_init(&c);
	CHECK_INT(apply(&c, "ProxyJump none", &msg), 0);
	CHECK_INT(apply(&c, "ProxyJump j", &msg), 0);
	CHECK_STR(c.proxy_jump, "none");
	cfg_client_free(&c);

	/* Messages as ssh 9.2 prints them. */
	static const struct { const char *kv, *msg; } errs[] = {
		{ "LocalForward 8080", "command-line line 0: Missing target argument.\n" },
		{ "LocalForward foo", "command-line line 0: Missing target argument.\n" },
		{ "LocalForward 1 h:0", "command-line line 0: Bad forwarding specification.\n" },
		{ "LocalForward 65536 h:1", "command-line line 0: Bad forwarding specification.\n" },
		{ "LocalForward 1 h:2 3",
		  "command-line line 0: keyword localforward extra arguments at end of line\n" },
		{ "GatewayPorts maybe", "command-line line 0: unsupported option \"maybe\".\n" },
		{ "ExitOnForwardFailure 2", "command-line line 0: unsupported option \"2\".\n" },
		{ "ClearAllForwardings x", "command-line line 0: unsupported option \"x\".\n" },
		{ "ProxyJump a@", "command-line line 0: Invalid ProxyJump \"a@\"\n" },
		{ "ProxyJump a:99999", "command-line line 0: Invalid ProxyJump \"a:99999\"\n" },
		{ "ProxyJump", "command-line line 0: no argument after keyword \"proxyjump\"\n" },
	};
	for (size_t i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		cfg_client_init(&c);
		CHECK(apply(&c, errs[i].kv, &msg) < 0);
		if (strcmp(msg, errs[i].msg) != 0)
			fprintf(stderr, "for [%s] got [%s]\n", errs[i].kv, msg);
		CHECK_STR(msg, errs[i].msg);
		CHECK_INT(c.n_local_forwards, 0);
		cfg_client_free(&c);
	}
}

static void check_jump(const char *s, const char *user, const char *host, int port,
		       const char *rest)
{
	char *u = (char *)"x", *h = (char *)"x", *r = (char *)"x";
	int p = 7;

	if (cfg_parse_jump(s, &u, &h, &p, &r) != 0) {
		fprintf(stderr, "jump [%s] rejected\n", s);
		CHECK(0);
		return;
	}
	CHECK(opt_eq(u, user));
	CHECK(opt_eq(h, host));
	CHECK_INT(p, port);
	if (!opt_eq(r, rest))
		fprintf(stderr, "jump [%s] rest [%s]\n", s, r != NULL ? r : "(null)");
	CHECK(opt_eq(r, rest));
	free(u);
	free(h);
	free(r);
}

static void test_jump(void)
{
	static const char *const bad_jumps[] = {
		"", "a@", "@a", ":2", "a:b", "a:0", "a:99999", "a,,b", ",a", "a,", "::1",
		"[::1", "[::1]x", "a b", "ssh://", "ssh://a/path", "a,b:x",
	};
	char *u = NULL, *h = NULL, *r = NULL;
	int p = 0;

	check_jump("vishnu", NULL, "vishnu", -1, NULL);
	check_jump("a,b,user@c:2222", "user", "c", 2222, "a,b");
	check_jump("u@[::1]:5", "u", "::1", 5, NULL);
	check_jump("a@b@c", "a@b", "c", -1, NULL);
	check_jump("j1:22,[fe80::1]", NULL, "fe80::1", -1, "j1:22");
	check_jump("ssh://u@a:2/", "u", "a", 2, NULL);
	check_jump("x,ssh://[::1]:7", NULL, "::1", 7, "x");
	check_jump("a@b:,[::1]:", NULL, "::1", -1, "a@b:");
	for (size_t i = 0; i < sizeof(bad_jumps) / sizeof(bad_jumps[0]); i++) {
		if (cfg_parse_jump(bad_jumps[i], &u, &h, &p, &r) != ERR_FORMAT) {
			fprintf(stderr, "jump [%s] accepted\n", bad_jumps[i]);
			CHECK(0);
		}
	}
	CHECK_INT(cfg_parse_jump("none", &u, &h, &p, &r), ERR_INVALID_ARG);
}

static int finish(struct client_config *c, const char **msg)
{
	int r;

	capture_start();
	r = cfg_client_finish(c);
	*msg = capture_end();
	return r;
}

static void expect_args_error(const char *a1, const char *a2, const char *want)
{
	struct client_config c;
	const char *msg;

	CHECK(parse(&c, &msg, "burrow", a1, a2, "host", NULL) < 0);
	if (strcmp(msg, want) != 0)
		fprintf(stderr, "for [%s %s] got [%s]\n", a1, a2, msg);
	CHECK_STR(msg, want);
	cfg_client_free(&c);
}

static void test_args(void)
{
	struct client_config c;
	const char *msg;

	/* The seed's example 7 as one command. */
	CHECK_INT(parse(&c, &msg, "burrow", "-J", "vishnu", "-L", "3456:localhost:80", "ketu",
			NULL), 0);
	CHECK_STR(msg, "");
	CHECK_STR(c.proxy_jump, "vishnu");
	CHECK_INT(c.n_local_forwards, 1);
	CHECK_INT(c.local_forwards[0].listen_port, 3456);
	CHECK_STR(c.host, "ketu");
	cfg_client_free(&c);

	CHECK_INT(parse(&c, &msg, "burrow", "-g", "-N", "-f", "-T", "-L1:h:2",
			"-L", "[::1]:8080:[2001:db8::5]:80", "-o", "LocalForward 3 h:4",
			"-o", "GatewayPorts no", "h", NULL), 0);
	CHECK_INT(c.gateway_ports, 1);
	CHECK_INT(c.no_shell, 1);
	CHECK_INT(c.fork_after_auth, 1);
	CHECK_INT(c.stdin_null, 1);
	CHECK_INT(c.request_tty, REQUEST_TTY_NO);
	CHECK_INT(c.n_local_forwards, 3);
	CHECK_STR(c.local_forwards[1].connect_host, "2001:db8::5");
	CHECK_INT(c.local_forwards[2].listen_port, 3);
	CHECK_INT(finish(&c, &msg), 0);
	CHECK_INT(c.n_local_forwards, 3);
	CHECK_INT(c.exit_on_forward_failure, 0);
	CHECK_INT(c.clear_all_forwardings, 0);
	cfg_client_free(&c);

	/* -W: no tty, and (after finish) no other forwards, exit on failure. */
	CHECK_INT(parse(&c, &msg, "burrow", "-W", "[::1]:22", "-L", "1:h:2", "-o",
			"ClearAllForwardings=no", "jump", NULL), 0);
	CHECK_STR(c.stdio_forward_host, "::1");
	CHECK_INT(c.stdio_forward_port, 22);
	CHECK_INT(c.request_tty, REQUEST_TTY_NO);
	CHECK_INT(finish(&c, &msg), 0);
	CHECK_INT(c.n_local_forwards, 0);
	CHECK_INT(c.exit_on_forward_failure, 1);
	CHECK_INT(c.clear_all_forwardings, 1);
	cfg_client_free(&c);
	CHECK_INT(parse(&c, &msg, "burrow", "-W", "h.example:80", "-t", "x", "cmd", NULL), 0);
	CHECK_STR(c.stdio_forward_host, "h.example");
	CHECK_INT(c.stdio_forward_port, 80);
	CHECK_INT(c.request_tty, REQUEST_TTY_YES); /* a later -t wins, as in ssh */
	CHECK_STR(c.command, "cmd");               /* ssh accepts and ignores it */
	cfg_client_free(&c);
	CHECK_INT(parse(&c, &msg, "burrow", "-W", "/run/sock", "x", NULL), 0);
	CHECK_STR(c.stdio_forward_host, "/run/sock");
	CHECK_INT(c.stdio_forward_port, -1);
	cfg_client_free(&c);

	/* ClearAllForwardings drops every forward at finish. */
	CHECK_INT(parse(&c, &msg, "burrow", "-o", "ClearAllForwardings yes", "-L", "1:h:2", "x",
			NULL), 0);
	CHECK_INT(finish(&c, &msg), 0);
	CHECK_INT(c.n_local_forwards, 0);
	cfg_client_free(&c);

	/* -f needs something to do. */
	CHECK_INT(parse(&c, &msg, "burrow", "-f", "x", NULL), 0);
	CHECK(finish(&c, &msg) < 0);
	CHECK_STR(msg, "Cannot fork into background without a command to execute.\n");
	cfg_client_free(&c);
	CHECK_INT(parse(&c, &msg, "burrow", "-f", "-W", "h:1", "x", NULL), 0);
	CHECK_INT(finish(&c, &msg), 0);
	cfg_client_free(&c);
	CHECK_INT(parse(&c, &msg, "burrow", "-f", "x", "true", NULL), 0);
	CHECK_INT(finish(&c, &msg), 0);
	cfg_client_free(&c);

	/* -J against ProxyJump / ProxyCommand, both orders. */
	CHECK_INT(parse(&c, &msg, "burrow", "-J", "a", "-o", "ProxyJump=b", "-o",
			"ProxyCommand=x", "h", NULL), 0);
	CHECK_STR(c.proxy_jump, "a");
	cfg_client_free(&c);
	CHECK_INT(parse(&c, &msg, "burrow", "-J", "none", "h", NULL), 0);
	CHECK_STR(c.proxy_jump, "none");
	cfg_client_free(&c);
	CHECK(parse(&c, &msg, "burrow", "-o", "ProxyJump=none", "-J", "b", "x", NULL) < 0);
	CHECK_STR(msg, "Only a single -J option is permitted (use commas to separate "
		  "multiple jump hops)\n");
	cfg_client_free(&c);

	/* Errors, worded as ssh 9.2. */
	expect_args_error("-L", "foo", "Bad local forwarding specification 'foo'\n");
	expect_args_error("-L", "65536:h:1", "Bad local forwarding specification '65536:h:1'\n");
	expect_args_error("-L", "0:h:1", "Bad local forwarding specification '0:h:1'\n");
	expect_args_error("-W", "h", "Bad stdio forwarding specification 'h'\n");
	expect_args_error("-W", "h:99999", "Bad stdio forwarding specification 'h:99999'\n");
	expect_args_error("-W", "1:h:2", "Bad stdio forwarding specification '1:h:2'\n");
	expect_args_error("-J", "a@", "Invalid -J argument\n");
	expect_args_error("-J", "::1", "Invalid -J argument\n");
	CHECK(parse(&c, &msg, "burrow", "-W", "h:1", "-W", "h:2", "x", NULL) < 0);
	CHECK_STR(msg, "stdio forward already specified\n");
	cfg_client_free(&c);
	CHECK(parse(&c, &msg, "burrow", "-J", "a", "-J", "b", "x", NULL) < 0);
	CHECK_STR(msg, "Only a single -J option is permitted (use commas to separate "
		  "multiple jump hops)\n");
	cfg_client_free(&c);
	CHECK(parse(&c, &msg, "burrow", "-o", "ProxyCommand=none", "-J", "b", "x", NULL) < 0);
	CHECK_STR(msg, "Cannot specify -J with ProxyCommand\n");
	cfg_client_free(&c);
}

static void test_hostname_tokens(void)
{
	struct client_config c;
	const char *msg;

	CHECK_INT(parse(&c, &msg, "burrow", "-o", "HostName=%h.example", "web", NULL), 0);
	CHECK_INT(finish(&c, &msg), 0);
	CHECK_STR(c.hostname, "web.example");
	cfg_client_free(&c);
	CHECK_INT(parse(&c, &msg, "burrow", "-o", "HostName=a%%b-%h", "w", NULL), 0);
	CHECK_INT(finish(&c, &msg), 0);
	CHECK_STR(c.hostname, "a%b-w");
	cfg_client_free(&c);
	CHECK_INT(parse(&c, &msg, "burrow", "fe80::1%eth0", NULL), 0);
	CHECK_INT(finish(&c, &msg), 0);
	CHECK_STR(c.hostname, "fe80::1%eth0");
	cfg_client_free(&c);
	CHECK_INT(parse(&c, &msg, "burrow", "-o", "HostName=%p", "w", NULL), 0);
	CHECK(finish(&c, &msg) < 0);
	CHECK_STR(msg, "percent_expand: unknown key %p\n");
	cfg_client_free(&c);
}

/* -R / RemoteForward: ssh's forms, messages, accumulation and ClearAllForwardings. */
static void test_remote(void)
{
	struct client_config c;
	const char *msg;
	char buf[CFG_FWD_FMT_MAX];

	CHECK_INT(parse(&c, &msg, "burrow", "-R", "8080:localhost:80", "-R0:h:22",
			"-R", "[::1]:9000:[2001:db8::5]:443", "-R", "*:7000:h:1",
			"-R", "/tmp/rs:h:80", "-R", "9001:/tmp/local.sock",
			"-o", "RemoteForward 9002 h2:2", "host", NULL), 0);
	CHECK_STR(msg, "");
	CHECK_INT(c.n_remote_forwards, 7);
	CHECK_INT(c.n_local_forwards, 0);
	CHECK(c.remote_forwards[0].listen_host == NULL);
	CHECK_INT(c.remote_forwards[0].listen_port, 8080);
	CHECK_STR(c.remote_forwards[0].connect_host, "localhost");
	CHECK_INT(c.remote_forwards[0].connect_port, 80);
	/* Port 0: the server allocates one. */
	CHECK_INT(c.remote_forwards[1].listen_port, 0);
	CHECK_STR(c.remote_forwards[1].connect_host, "h");
	CHECK_STR(c.remote_forwards[2].listen_host, "::1");
	CHECK_STR(c.remote_forwards[2].connect_host, "2001:db8::5");
	CHECK_INT(c.remote_forwards[2].connect_port, 443);
	CHECK_STR(c.remote_forwards[3].listen_host, "*");
	CHECK_STR(c.remote_forwards[4].listen_path, "/tmp/rs");
	CHECK_INT(c.remote_forwards[4].listen_port, -1);
	CHECK_STR(c.remote_forwards[5].connect_path, "/tmp/local.sock");
	CHECK_INT(c.remote_forwards[5].listen_port, 9001);
	CHECK_INT(c.remote_forwards[6].listen_port, 9002);
	CHECK_STR(c.remote_forwards[6].connect_host, "h2");
	CHECK_INT(cfg_fwd_spec_format(&c.remote_forwards[2], buf, sizeof(buf)), 0);
	CHECK_STR(buf, "[::1]:9000:[2001:db8::5]:443");
	CHECK_INT(finish(&c, &msg), 0);
	CHECK_INT(c.n_remote_forwards, 7);
	cfg_client_free(&c);

	/* ssh's wording for bad specs. */
	expect_args_error("-R", "bad", "Bad remote forwarding specification 'bad'\n");
	expect_args_error("-R", "70000:h:80",
			  "Bad remote forwarding specification '70000:h:80'\n");
	expect_args_error("-R", "8080:h:0", "Bad remote forwarding specification '8080:h:0'\n");
	expect_args_error("-R", "a:b:c:d:e", "Bad remote forwarding specification 'a:b:c:d:e'\n");
	expect_args_error("-R", "8080:h:", "Bad remote forwarding specification '8080:h:'\n");
	/* Dynamic -R (no target): a TCP listen side only. */
	expect_args_error("-R", "/tmp/s.sock",
			  "Bad remote forwarding specification '/tmp/s.sock'\n");
	CHECK_INT(parse(&c, &msg, "burrow", "-R", "localhost:1080", "-R", "0", "host", NULL), 0);
	CHECK_INT(c.n_remote_forwards, 2);
	CHECK_STR(c.remote_forwards[0].listen_host, "localhost");
	CHECK_INT(c.remote_forwards[0].listen_port, 1080);
	CHECK(c.remote_forwards[0].connect_host == NULL);
	CHECK(c.remote_forwards[0].connect_path == NULL);
	CHECK_INT(c.remote_forwards[1].listen_port, 0);
	cfg_client_free(&c);

	/* The keyword: two words or the -R form; accumulates; bad values as ssh. */
	cfg_client_init(&c);
	CHECK_INT(apply(&c, "RemoteForward 8080 localhost:80", &msg), 0);
	CHECK_INT(apply(&c, "RemoteForward=localhost:8081 [::1]:81", &msg), 0);
	CHECK_INT(apply(&c, "RemoteForward 8082:h:82", &msg), 0);
	CHECK_INT(apply(&c, "RemoteForward /tmp/r.sock h:83", &msg), 0);
	CHECK_INT(c.n_remote_forwards, 4);
	CHECK_STR(c.remote_forwards[1].listen_host, "localhost");
	CHECK_INT(c.remote_forwards[1].listen_port, 8081);
	CHECK_STR(c.remote_forwards[1].connect_host, "::1");
	CHECK_INT(c.remote_forwards[2].connect_port, 82);
	CHECK_STR(c.remote_forwards[3].listen_path, "/tmp/r.sock");
	CHECK(apply(&c, "RemoteForward bad", &msg) < 0);
	CHECK_STR(msg, "command-line line 0: Bad forwarding specification.\n");
	CHECK(apply(&c, "RemoteForward 8080 h", &msg) < 0);
	CHECK_STR(msg, "command-line line 0: Bad forwarding specification.\n");
	CHECK(apply(&c, "RemoteForward 8080 h:80 extra", &msg) < 0);
	CHECK_STR(msg, "command-line line 0: keyword remoteforward extra arguments at end of line\n");
	CHECK_INT(apply(&c, "RemoteForward 1080", &msg), 0);
	CHECK_INT(c.n_remote_forwards, 5);
	CHECK(c.remote_forwards[4].connect_host == NULL);
	CHECK(apply(&c, "RemoteForward /tmp/s.sock", &msg) < 0);
	CHECK_STR(msg, "command-line line 0: Bad forwarding specification.\n");
	/* PermitRemoteOpen: first line wins; any = no list; bad words as ssh. */
	CHECK(c.permit_remote_open == NULL);
	CHECK_INT(apply(&c, "PermitRemoteOpen localhost:80 [::1]:* *:443", &msg), 0);
	CHECK_STR(c.permit_remote_open, "localhost:80 [::1]:* *:443");
	CHECK_INT(apply(&c, "PermitRemoteOpen any", &msg), 0);
	CHECK_STR(c.permit_remote_open, "localhost:80 [::1]:* *:443");
	CHECK(apply(&c, "PermitRemoteOpen host", &msg) < 0);
	CHECK_STR(msg, "command-line line 0: invalid permission hostname \"host\"\n");
	CHECK(apply(&c, "PermitRemoteOpen h:70000", &msg) < 0);
	CHECK(apply(&c, "PermitRemoteOpen none h:1", &msg) < 0);
	/* ClearAllForwardings drops remote forwards too. */
	CHECK_INT(apply(&c, "LocalForward 1 h:2", &msg), 0);
	CHECK_INT(apply(&c, "ClearAllForwardings yes", &msg), 0);
	c.host = strdup("host");
	CHECK_INT(finish(&c, &msg), 0);
	CHECK_INT(c.n_remote_forwards, 0);
	CHECK_INT(c.n_local_forwards, 0);
	cfg_client_free(&c);
}

int main(void)
{
	test_fwd_specs();
	test_keywords();
	test_jump();
	test_args();
	test_hostname_tokens();
	test_remote();
	CHECK_DONE();
}
