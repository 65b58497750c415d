/*
 * Issue 7 client configuration: Match criteria, tokens, IgnoreUnknown, the
 * new keywords (SendEnv, SetEnv, EscapeChar, ServerAlive*, ProxyCommand,
 * DynamicForward) and burrow -G output.
 */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../check.h"
#include "capture.h"
#include "config/client_config.h"
#include "tmpfiles.h"
#include "util/err.h"
#include "util/log.h"

static int load(struct client_config *c, const char *text, const char *host, const char **msg)
{
	const char *path = write_file("cfg", text);
	int r;

	cfg_client_init(c);
	c->host = strdup(host);
	capture_start();
	r = cfg_client_load_file(c, path, host, 1);
	*msg = capture_end();
	return r;
}

static void test_match(void)
{
	struct client_config c;
	const char *msg;
	char buf[512];
	struct passwd *pw = getpwuid(getuid());

	/* host compares HostName (with %h) as set so far; originalhost the argument. */
	CHECK_INT(load(&c, "Host web\n HostName %h.example\n"
		       "Match host web.example\n Port 1\n"
		       "Match originalhost web\n User u1\n"
		       "Match host web\n IdentityFile /never\n", "web", &msg), 0);
	CHECK_STR(msg, "");
	CHECK_INT(c.port, 1);
	CHECK_STR(c.user, "u1");
	CHECK_INT(c.n_identity_files, 0);
	cfg_client_free(&c);

	/* Negation, pattern lists, user (remote, as set so far) and localuser. */
	snprintf(buf, sizeof(buf), "User bob\n"
		 "Match user alice,b?b !host nothere\n Port 2\n"
		 "Match !user bob\n Port 3\n"
		 "Match localuser %s\n HostName lu\n"
		 "Match localuser !%s,*\n IdentitiesOnly yes\n",
		 pw->pw_name, pw->pw_name);
	CHECK_INT(load(&c, buf, "x", &msg), 0);
	CHECK_INT(c.port, 2);
	CHECK_STR(c.hostname, "lu");
	CHECK_INT(c.identities_only, -1);
	cfg_client_free(&c);

	/* exec: exit status 0 matches, with tokens; not run once the line cannot match. */
	snprintf(buf, sizeof(buf),
		 "Match exec \"test %%h = x && test %%n = x && test %%%% = %%%%\"\n Port 4\n"
		 "Match exec false\n User no\n"
		 "Match host nomatch exec \"touch %s/ran\"\n User no2\n", tmpdir);
	CHECK_INT(load(&c, buf, "x", &msg), 0);
	CHECK_INT(c.port, 4);
	CHECK(c.user == NULL);
	snprintf(buf, sizeof(buf), "%s/ran", tmpdir);
	CHECK(access(buf, F_OK) != 0);
	cfg_client_free(&c);

	/* all; canonical / final never match (one pass); !final does. */
	CHECK_INT(load(&c, "Match canonical\n Port 5\nMatch final\n Port 6\n"
		       "Match !final\n Port 7\nMatch all\n User a\n", "x", &msg), 0);
	CHECK_INT(c.port, 7);
	CHECK_STR(c.user, "a");
	cfg_client_free(&c);

	/* Errors, worded as ssh. */
	CHECK_INT(load(&c, "Match host\n", "x", &msg), ERR_FORMAT);
	CHECK(strstr(msg, "Missing Match criteria for host\n") != NULL);
	cfg_client_free(&c);
	CHECK_INT(load(&c, "Match all host x\n", "x", &msg), ERR_FORMAT);
	CHECK(strstr(msg, "'all' cannot be combined with other Match attributes\n") != NULL);
	cfg_client_free(&c);
	CHECK_INT(load(&c, "Match tagged x\n", "x", &msg), ERR_FORMAT);
	CHECK(strstr(msg, "Unsupported Match attribute tagged\n") != NULL);
	cfg_client_free(&c);
}

static void test_tokens(void)
{
	struct client_config c;
	struct passwd *pw = getpwuid(getuid());
	char want[1024], lhost[256], *out = NULL;

	cfg_client_init(&c);
	c.host = strdup("alias");
	c.hostname = strdup("real.example");
	c.user = strdup("ruser");
	c.port = 2022;
	CHECK_INT(cfg_client_expand_tokens(&c, "%h:%p:%r:%n:%u:%%:%i", CFG_TOKENS_FILES, &out), 0);
	snprintf(want, sizeof(want), "real.example:2022:ruser:alias:%s:%%:%lu", pw->pw_name,
		 (unsigned long)getuid());
	CHECK_STR(out, want);
	free(out);
	out = NULL;
	gethostname(lhost, sizeof(lhost));
	CHECK_INT(cfg_client_expand_tokens(&c, "%l", CFG_TOKENS_FILES, &out), 0);
	CHECK_STR(out, lhost);
	free(out);
	out = NULL;
	/* %C: 40 hex digits (SHA-1 of %l%h%p%r). */
	CHECK_INT(cfg_client_expand_tokens(&c, "%C", CFG_TOKENS_FILES, &out), 0);
	CHECK(out != NULL && strlen(out) == 40 && strspn(out, "0123456789abcdef") == 40);
	free(out);
	out = NULL;
	/* ProxyCommand takes %h %n %p %r %% only. */
	capture_start();
	CHECK_INT(cfg_client_expand_tokens(&c, "nc %u", CFG_TOKENS_PROXY, &out), ERR_FORMAT);
	CHECK_STR(capture_end(), "percent_expand: unknown key %u\n");
	CHECK(out == NULL);
	capture_start();
	CHECK_INT(cfg_client_expand_tokens(&c, "x%", CFG_TOKENS_PROXY, &out), ERR_FORMAT);
	CHECK_STR(capture_end(), "percent_expand: invalid format\n");
	cfg_client_free(&c);

	/* cfg_client_finish expands UserKnownHostsFile, IdentityAgent, IdentityFile. */
	cfg_client_init(&c);
	c.host = strdup("h1");
	CHECK_INT(cfg_client_apply(&c, "UserKnownHostsFile /kh/%h-%p /kh/%r", "t"), 0);
	CHECK_INT(cfg_client_apply(&c, "IdentityAgent /a/%h", "t"), 0);
	CHECK_INT(cfg_client_apply(&c, "IdentityFile /id/%h-%r", "t"), 0);
	CHECK_INT(cfg_client_apply(&c, "User u", "t"), 0);
	CHECK_INT(cfg_client_finish(&c), 0);
	CHECK_STR(c.user_known_hosts, "/kh/h1-22 /kh/u");
	CHECK_STR(c.identity_agent, "/a/h1");
	CHECK_STR(c.identity_files[0], "/id/h1-u");
	cfg_client_free(&c);
}

static void test_ignore_unknown(void)
{
	struct client_config c;
	const char *msg;

	CHECK_INT(load(&c, "FooBar 1\n", "x", &msg), ERR_FORMAT);
	CHECK(strstr(msg, "line 1: Bad configuration option: foobar\n") != NULL);
	CHECK(strstr(msg, "terminating, 1 bad configuration options\n") != NULL);
	cfg_client_free(&c);
	/* Only after IgnoreUnknown, and only the listed names. */
	CHECK_INT(load(&c, "IgnoreUnknown foo*,UseKeychain\nFooBar 1\nusekeychain yes\n"
		       "Host other\n FooBaz 2\n", "x", &msg), 0);
	CHECK_STR(msg, "");
	cfg_client_free(&c);
	CHECK_INT(load(&c, "FooBar 1\nIgnoreUnknown foo*\n", "x", &msg), ERR_FORMAT);
	cfg_client_free(&c);
	CHECK_INT(load(&c, "IgnoreUnknown foo*\nBarFoo 1\n", "x", &msg), ERR_FORMAT);
	CHECK(strstr(msg, "Bad configuration option: barfoo\n") != NULL);
	cfg_client_free(&c);
}

static void test_keywords(void)
{
	struct client_config c;
	const char *msg;

	CHECK_INT(load(&c, "SendEnv LANG LC_* X\nSendEnv -X Y\nSetEnv A=1 B=\"2 3\" A=4\n"
		       "SetEnv C=5\nEscapeChar ^B\nEscapeChar %\nServerAliveInterval 1m\n"
		       "ServerAliveCountMax 9\nConnectionAttempts 4\nBindAddress 127.0.0.2\n"
		       "DynamicForward 127.0.0.1:1080\nDynamicForward 1081\n"
		       "ProxyCommand sh -c 'x %h' # c\nProxyJump j\n", "x", &msg), 0);
	CHECK_STR(msg, "");
	CHECK_INT(c.n_send_env, 3);
	CHECK_STR(c.send_env[0], "LANG");
	CHECK_STR(c.send_env[1], "LC_*");
	CHECK_STR(c.send_env[2], "Y");
	CHECK_INT(c.n_set_env, 2);
	CHECK_STR(c.set_env[0], "A=1");
	CHECK_STR(c.set_env[1], "B=2 3");
	CHECK_INT(c.escape_char, 2);
	CHECK_INT(c.server_alive_interval, 60);
	CHECK_INT(c.server_alive_count_max, 9);
	CHECK_INT(c.connection_attempts, 4);
	CHECK_STR(c.bind_address, "127.0.0.2");
	CHECK_INT(c.n_dynamic_forwards, 2);
	CHECK_STR(c.dynamic_forwards[0].listen_host, "127.0.0.1");
	CHECK_INT(c.dynamic_forwards[1].listen_port, 1081);
	CHECK_STR(c.proxy_command, "sh -c 'x %h' # c");
	CHECK(c.proxy_jump == NULL); /* ProxyCommand came first */
	cfg_client_free(&c);

	CHECK_INT(load(&c, "EscapeChar none\n", "x", &msg), 0);
	CHECK_INT(c.escape_char, -1);
	CHECK_INT(cfg_client_finish(&c), 0);
	CHECK_INT(c.escape_char, -1);
	cfg_client_free(&c);
	/* Defaults. */
	CHECK_INT(load(&c, "", "x", &msg), 0);
	CHECK_INT(cfg_client_finish(&c), 0);
	CHECK_INT(c.escape_char, '~');
	CHECK_INT(c.server_alive_interval, 0);
	CHECK_INT(c.server_alive_count_max, 3);
	CHECK_INT(c.connection_attempts, 1);
	cfg_client_free(&c);
}

static void test_dump(void)
{
	struct client_config c;
	const char *msg;

	CHECK_INT(load(&c, "Host x\n HostName 10.0.0.1\n Port 2200\n User u\n"
		       "LocalForward 8080 localhost:80\nRemoteForward 0 [::1]:90\n"
		       "LocalForward /tmp/s /tmp/t\nDynamicForward 1080\n"
		       "EscapeChar ^A\nSendEnv LANG\nSetEnv A=b\nIdentityFile ~/id_%h\n"
		       "ConnectTimeout 1m\nStrictHostKeyChecking yes\nProxyJump j1,j2\n", "x", &msg), 0);
	c.dump_config = 1;
	CHECK_INT(cfg_client_finish(&c), 0);
	capture_start_fd(1);
	cfg_client_dump(&c);
	fflush(stdout);
	msg = capture_end();
	{
		static const char head[] = "host x\nuser u\nhostname 10.0.0.1\nport 2200\n";

		CHECK(strncmp(msg, head, strlen(head)) == 0);
	}
	CHECK(strstr(msg, "\nlocalforward 8080 [localhost]:80\n") != NULL);
	CHECK(strstr(msg, "\nlocalforward /tmp/s /tmp/t\n") != NULL);
	CHECK(strstr(msg, "\nremoteforward 0 [::1]:90\n") != NULL);
	CHECK(strstr(msg, "\ndynamicforward 1080\n") != NULL);
	CHECK(strstr(msg, "\nescapechar \\^A\n") != NULL);
	CHECK(strstr(msg, "\nsendenv LANG\n") != NULL);
	CHECK(strstr(msg, "\nsetenv A=b\n") != NULL);
	/* As ssh -G: IdentityFile as written. */
	CHECK(strstr(msg, "\nidentityfile ~/id_%h\n") != NULL);
	CHECK(strstr(msg, "\nconnecttimeout 60\n") != NULL);
	CHECK(strstr(msg, "\nstricthostkeychecking true\n") != NULL);
	CHECK(strstr(msg, "\nproxyjump j1,j2\n") != NULL);
	CHECK(strstr(msg, "\nserveralivecountmax 3\n") != NULL);
	cfg_client_free(&c);
}

int main(void)
{
	CHECK(mkdtemp(tmpdir) != NULL);
	log_init("test", LOG_INFO);
	test_match();
	test_tokens();
	test_ignore_unknown();
	test_keywords();
	test_dump();
	CHECK_DONE();
}
