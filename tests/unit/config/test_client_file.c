/* ssh_config files: Host blocks, first value wins, Include, default files. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../check.h"
#include "capture.h"
#include "config/client_config.h"
#include "util/err.h"
#include "util/log.h"

static char dir[64];

/* Write dir/name with the given text; returns the full path (static buffer). */
static const char *put(const char *name, const char *text)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	CHECK(f != NULL);
	if (f != NULL) {
		fputs(text, f);
		fclose(f);
	}
	return path;
}

static int load(struct client_config *c, const char *path, const char *host, int must,
		const char **msg)
{
	int r;

	capture_start();
	r = cfg_client_load_file(c, path, host, must);
	*msg = capture_end();
	return r;
}

static const char blocks[] =
	"# comment\n"
	"\n"
	"User everyone\n"
	"Host web* !web-secret db\n"
	"  HostName %h.example\n"
	"  Port 2201\n"
	"  LocalForward 8080 localhost:80\n"
	"Host web-secret\n"
	"  Port 2202\n"
	"Host *.lan\n"
	"  Port=2203\n"
	"  IdentityFile /k/lan\n"
	"Host ?x\n"
	"  Port 2204\n"
	"Host *\n"
	"  Port 22\n"
	"  IdentityFile /k/all\n"
	"  LocalForward 9090 localhost:90\n"
	"  GatewayPorts yes\n"
	"  ForwardAgent no\n"
	"  SendEnv LANG LC_*\n"
	"  DynamicForward 1080\n";

static void test_blocks(void)
{
	struct client_config c;
	const char *msg, *path = put("blocks", blocks);

	/* First matching block wins; later blocks still add forwards/identities. */
	cfg_client_init(&c);
	c.host = strdup("web1");
	CHECK_INT(load(&c, path, c.host, 1, &msg), 0);
	CHECK_INT(c.n_dynamic_forwards, 1);
	CHECK_INT(c.dynamic_forwards[0].listen_port, 1080);
	cfg_client_free(&c);

	/* Without the DynamicForward line (refused where it applies). */
	path = put("blocks2", "Host nothing\n  RemoteForward 1 h:2\n  ProxyCommand nc %h %p\n"
		   "  DynamicForward 1080\n");
	cfg_client_init(&c);
	CHECK_INT(load(&c, path, "web1", 1, &msg), 0);
	CHECK_STR(msg, "");
	cfg_client_free(&c);

	char *text = strdup(blocks);
	*strstr(text, "  DynamicForward") = '\0';
	path = put("blocks3", text);
	free(text);

	cfg_client_init(&c);
	CHECK_INT(load(&c, path, "web1", 1, &msg), 0);
	CHECK_STR(msg, "");
	CHECK_STR(c.user, "everyone");
	CHECK_STR(c.hostname, "%h.example");
	CHECK_INT(c.port, 2201);
	CHECK_INT(c.n_local_forwards, 2);
	CHECK_INT(c.local_forwards[0].listen_port, 8080);
	CHECK_INT(c.local_forwards[1].listen_port, 9090);
	CHECK_INT(c.n_identity_files, 1);
	CHECK_STR(c.identity_files[0], "/k/all");
	CHECK_INT(c.gateway_ports, 1);
	c.host = strdup("web1");
	CHECK_INT(cfg_client_finish(&c), 0);
	CHECK_STR(c.hostname, "web1.example"); /* %h is the alias as given */
	cfg_client_free(&c);

	/* Negation excludes a host the positive pattern matches. */
	cfg_client_init(&c);
	CHECK_INT(load(&c, path, "web-secret", 1, &msg), 0);
	CHECK_INT(c.port, 2202);
	CHECK(c.hostname == NULL);
	cfg_client_free(&c);

	cfg_client_init(&c);
	CHECK_INT(load(&c, path, "db", 1, &msg), 0);
	CHECK_INT(c.port, 2201);
	cfg_client_free(&c);

	cfg_client_init(&c);
	CHECK_INT(load(&c, path, "Box.LAN", 1, &msg), 0);
	CHECK_INT(c.port, 2203);
	CHECK_INT(c.n_identity_files, 2);
	CHECK_STR(c.identity_files[0], "/k/lan");
	CHECK_STR(c.identity_files[1], "/k/all");
	CHECK_INT(c.n_local_forwards, 1);
	cfg_client_free(&c);

	cfg_client_init(&c);
	CHECK_INT(load(&c, path, "ax", 1, &msg), 0);
	CHECK_INT(c.port, 2204);
	cfg_client_free(&c);

	cfg_client_init(&c);
	CHECK_INT(load(&c, path, "other", 1, &msg), 0);
	CHECK_INT(c.port, 22);
	cfg_client_free(&c);

	/* The command line is applied first and wins over the file. */
	cfg_client_init(&c);
	CHECK_INT(cfg_client_apply(&c, "Port 7", "command-line"), 0);
	CHECK_INT(cfg_client_apply(&c, "LocalForward 1 h:2", "command-line"), 0);
	CHECK_INT(load(&c, path, "web1", 1, &msg), 0);
	CHECK_INT(c.port, 7);
	CHECK_INT(c.n_local_forwards, 3);
	CHECK_INT(c.local_forwards[0].listen_port, 1);
	cfg_client_free(&c);

	/* A Host line with only negations never applies; "Match all" does. */
	path = put("neg", "Host !x\nPort 5\nMatch all\nUser m\n");
	cfg_client_init(&c);
	CHECK_INT(load(&c, path, "y", 1, &msg), 0);
	CHECK_INT(c.port, -1);
	CHECK_STR(c.user, "m");
	cfg_client_free(&c);
}

static void test_file_errors(void)
{
	struct client_config c;
	const char *msg, *path;
	char want[1024];

	/* Unknown keywords are counted, value errors too, even in other blocks. */
	path = put("bad", "Foo bar\nHost x\n  Port 99\n  Bar 1\nHost y\nLocalForward foo\n"
		   "Port abc\n");
	cfg_client_init(&c);
	CHECK_INT(load(&c, path, "x", 1, &msg), ERR_FORMAT);
	snprintf(want, sizeof(want),
		 "%s: line 1: Bad configuration option: foo\n"
		 "%s: line 4: Bad configuration option: bar\n"
		 "%s line 6: Missing target argument.\n"
		 "%s line 7: Bad port 'abc'.\n"
		 "%s: terminating, 4 bad configuration options\n", path, path, path, path, path);
	CHECK_STR(msg, want);
	cfg_client_free(&c);

	path = put("host0", "Host\nPort 2\n");
	cfg_client_init(&c);
	CHECK_INT(load(&c, path, "x", 1, &msg), ERR_FORMAT);
	snprintf(want, sizeof(want), "%s line 1: no argument after keyword \"host\"\n"
		 "%s: terminating, 1 bad configuration options\n", path, path);
	CHECK_STR(msg, want);
	cfg_client_free(&c);

	path = put("match", "Match hostx x\n");
	cfg_client_init(&c);
	CHECK_INT(load(&c, path, "x", 1, &msg), ERR_FORMAT);
	CHECK(strstr(msg, "line 1: Unsupported Match attribute hostx\n") != NULL);
	cfg_client_free(&c);

	/* ProxyCommand keeps the rest of the line as written. */
	path = put("proxycmd", "Host x\nProxyCommand nc '%h' %p # c\n");
	cfg_client_init(&c);
	CHECK_INT(load(&c, path, "x", 1, &msg), 0);
	CHECK_STR(c.proxy_command, "nc '%h' %p # c");
	cfg_client_free(&c);

	/* Known-but-unimplemented keywords: ignored in files (DEBUG1), refused with -o. */
	path = put("unsup", "ForwardX11 yes\nServerAliveInterval 30\nTCPKeepAlive yes\n");
	cfg_client_init(&c);
	log_init("test", LOG_DEBUG1);
	CHECK_INT(load(&c, path, "x", 1, &msg), 0);
	snprintf(want, sizeof(want), "%s line 1: ignoring unsupported option ForwardX11", path);
	CHECK(strstr(msg, want) != NULL);
	log_init("test", LOG_INFO);
	CHECK_INT(load(&c, path, "x", 1, &msg), 0);
	CHECK_STR(msg, "");
	capture_start();
	CHECK_INT(cfg_client_apply(&c, "ForwardX11 yes", "command-line"), ERR_UNSUPPORTED);
	msg = capture_end();
	CHECK_STR(msg, "command-line line 0: keyword forwardx11 is not supported by burrow yet\n");
	cfg_client_free(&c);

	/* Missing files. */
	snprintf(want, sizeof(want), "%s/nonexistent", dir);
	cfg_client_init(&c);
	CHECK_INT(load(&c, want, "x", 0, &msg), 0);
	CHECK_STR(msg, "");
	CHECK_INT(load(&c, want, "x", 1, &msg), ERR_NOT_FOUND);
	CHECK(strncmp(msg, "Can't open user config file ", 28) == 0);
	cfg_client_free(&c);
}

static void test_include(void)
{
	struct client_config c;
	const char *msg, *path;
	char text[512], want[1024];

	CHECK_INT(mkdir(strcat(strcpy(text, dir), "/.ssh"), 0700), 0);
	CHECK_INT(mkdir(strcat(strcpy(text, dir), "/.ssh/conf.d"), 0700), 0);
	put(".ssh/conf.d/a.conf", "Host inc\n  Port 3001\nHost *\n  User from-a\n");
	put(".ssh/conf.d/b.conf", "User from-b\nIdentityFile /k/b\n");
	put("abs.conf", "Port 3002\n");
	setenv("HOME", dir, 1);

	/* Relative to ~/.ssh for user files; an include's Host lines stay inside it. */
	snprintf(text, sizeof(text), "Include conf.d/*.conf\nHost other\n  Include %s/abs.conf\n"
		 "Host *\n  Port 3003\n  User top\n", dir);
	path = put("inc", text);
	cfg_client_init(&c);
	CHECK_INT(load(&c, path, "inc", 1, &msg), 0);
	CHECK_STR(msg, "");
	CHECK_INT(c.port, 3001);
	CHECK_STR(c.user, "from-a");
	CHECK_INT(c.n_identity_files, 1);
	cfg_client_free(&c);

	cfg_client_init(&c);
	CHECK_INT(load(&c, path, "other", 1, &msg), 0);
	CHECK_INT(c.port, 3002); /* abs.conf applies inside the matching block */
	CHECK_STR(c.user, "from-a");
	cfg_client_free(&c);

	cfg_client_init(&c);
	CHECK_INT(load(&c, path, "zzz", 1, &msg), 0);
	CHECK_INT(c.port, 3003);
	cfg_client_free(&c);

	/* A bad line in an included file stops everything with its own message. */
	put(".ssh/conf.d/c.conf", "Bogus 1\n");
	cfg_client_init(&c);
	CHECK_INT(load(&c, path, "inc", 1, &msg), ERR_FORMAT);
	snprintf(want, sizeof(want), "%s/.ssh/conf.d/c.conf: line 1: Bad configuration option: "
		 "bogus\n%s/.ssh/conf.d/c.conf: terminating, 1 bad configuration options\n", dir,
		 dir);
	CHECK_STR(msg, want);
	cfg_client_free(&c);
	snprintf(text, sizeof(text), "%s/.ssh/conf.d/c.conf", dir);
	unlink(text);

	/* Include loops stop at the depth limit. */
	snprintf(text, sizeof(text), "Include %s/loop\n", dir);
	path = put("loop", text);
	cfg_client_init(&c);
	CHECK(load(&c, path, "x", 1, &msg) < 0);
	CHECK(strstr(msg, "Too many recursive configuration includes") != NULL);
	cfg_client_free(&c);
}

static int load_defaults(struct client_config *c, const char **msg)
{
	int r;

	capture_start();
	r = cfg_client_load_default_files(c);
	*msg = capture_end();
	return r;
}

static void test_default_files(void)
{
	struct client_config c;
	const char *msg;
	char path[256];

	/* -F: only that file, which must exist. */
	cfg_client_init(&c);
	c.host = strdup("inc");
	c.config_file = strdup("~/abs.conf");
	CHECK_INT(load_defaults(&c, &msg), 0);
	CHECK_INT(c.port, 3002);
	cfg_client_free(&c);

	cfg_client_init(&c);
	c.host = strdup("inc");
	c.config_file = strdup("none");
	CHECK_INT(load_defaults(&c, &msg), 0);
	CHECK_INT(c.port, -1);
	free(c.config_file);
	c.config_file = strdup("/dev/null");
	CHECK_INT(load_defaults(&c, &msg), 0);
	free(c.config_file);
	c.config_file = strdup("~/missing");
	CHECK_INT(load_defaults(&c, &msg), ERR_NOT_FOUND);
	cfg_client_free(&c);

	/* ~/.ssh/config, checked for its mode. */
	put(".ssh/config", "Host inc\n  Port 4001\n");
	snprintf(path, sizeof(path), "%s/.ssh/config", dir);
	chmod(path, 0600);
	cfg_client_init(&c);
	c.host = strdup("inc");
	CHECK_INT(load_defaults(&c, &msg), 0);
	CHECK_INT(c.port, 4001);
	cfg_client_free(&c);
	chmod(path, 0666);
	cfg_client_init(&c);
	c.host = strdup("inc");
	CHECK_INT(load_defaults(&c, &msg), ERR_PERMISSION);
	snprintf(path, sizeof(path), "Bad owner or permissions on %s/.ssh/config\n", dir);
	CHECK_STR(msg, path);
	cfg_client_free(&c);
	snprintf(path, sizeof(path), "%s/.ssh/config", dir);
	unlink(path);
}

/* Debian's stock /etc/ssh/ssh_config (Include, SendEnv, GSSAPI...) loads cleanly. */
static void test_system_file(void)
{
	struct client_config c;
	const char *msg;

	if (access("/etc/ssh/ssh_config", R_OK) != 0) {
		fprintf(stderr, "skipping: no readable /etc/ssh/ssh_config\n");
		return;
	}
	cfg_client_init(&c);
	CHECK_INT(load(&c, "/etc/ssh/ssh_config", "somehost", 1, &msg), 0);
	if (msg[0] != '\0')
		fprintf(stderr, "ssh_config said: %s", msg);
	CHECK_STR(msg, "");
	cfg_client_free(&c);
	/* Through the default-file path as well (HOME has no config now). */
	cfg_client_init(&c);
	c.host = strdup("somehost");
	CHECK_INT(load_defaults(&c, &msg), 0);
	CHECK_STR(msg, "");
	cfg_client_free(&c);
}

int main(void)
{
	char cmd[128];

	snprintf(dir, sizeof(dir), "/tmp/burrow-cfgtest-XXXXXX");
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	log_init("test", LOG_INFO);
	test_blocks();
	test_file_errors();
	test_include();
	test_default_files();
	test_system_file();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	CHECK_DONE();
}
