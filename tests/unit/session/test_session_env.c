/* Subsystem lookup and the login environment (session_subsystem.c, session_env.c). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../check.h"
#include "session/session_env.h"
#include "session/session_subsystem.h"
#include "util/err.h"

static const char *sock_path(void *arg)
{
	(void)arg;
	return "/tmp/agent.sock";
}

static void test_subsystem(void)
{
	char *subs[] = {
		"sftp /usr/lib/openssh/sftp-server -l INFO",
		"sftp /bin/second-entry-loses",
		"other\t /bin/other  arg",
		"internal internal-sftp -e",
		"lookalike internal-sftpx",
		"empty",
	};
	struct session_server srv = { .subsystems = subs, .n_subsystems = 6 };
	char *cmd = NULL;

	CHECK_INT(session_subsystem_command(&srv, "sftp", &cmd), 0);
	CHECK(cmd != NULL && strcmp(cmd, "/usr/lib/openssh/sftp-server -l INFO") == 0);
	free(cmd);
	cmd = NULL;
	CHECK_INT(session_subsystem_command(&srv, "other", &cmd), 0);
	CHECK(cmd != NULL && strcmp(cmd, "/bin/other  arg") == 0);
	free(cmd);
	cmd = NULL;
	/* Prefixes and longer names do not match; an entry without a command is no entry. */
	CHECK_INT(session_subsystem_command(&srv, "sft", &cmd), ERR_NOT_FOUND);
	CHECK_INT(session_subsystem_command(&srv, "sftpx", &cmd), ERR_NOT_FOUND);
	CHECK_INT(session_subsystem_command(&srv, "empty", &cmd), ERR_NOT_FOUND);
	CHECK_INT(session_subsystem_command(&srv, "", &cmd), ERR_NOT_FOUND);
	CHECK(cmd == NULL);
	CHECK_INT(session_subsystem_command(&srv, "lookalike", &cmd), 0);
	CHECK(cmd != NULL && strcmp(cmd, "internal-sftpx") == 0);
	free(cmd);
	cmd = NULL;
	if (access("/usr/lib/openssh/sftp-server", X_OK) == 0) {
		CHECK_INT(session_subsystem_command(&srv, "internal", &cmd), 0);
		CHECK(cmd != NULL && strcmp(cmd, "/usr/lib/openssh/sftp-server -e") == 0);
		free(cmd);
	}
}

static void check_env(const char *name, const char *want)
{
	const char *v = getenv(name);

	if (want == NULL) {
		CHECK(v == NULL);
		return;
	}
	CHECK(v != NULL && strcmp(v, want) == 0);
	if (v != NULL && strcmp(v, want) != 0)
		fprintf(stderr, "  %s=%s, want %s\n", name, v, want);
}

static void test_env(void)
{
	struct session_user u = {
		.name = "alice", .uid = 1000, .gid = 1000, .home = "/home/alice",
		.shell = "/bin/bash",
	};
	struct session_server srv = {
		.user = &u, .ssh_connection = "10.1.2.3 50000 10.9.8.7 2222",
		.agent_socket = sock_path,
	};
	char *client_env[] = { "USER=mallory", "LANG=C.UTF-8", "=bad", "NOEQUALS" };
	struct session_env_info info = {
		.tty = "/dev/pts/7", .term = "xterm", .original = "ls",
		.client_env = client_env, .n_client_env = 4,
	};

	setenv("TZ", "Europe/Paris", 1);
	setenv("LEFTOVER", "x", 1);
	CHECK_INT(session_env_setup(&srv, &info), 0);
	check_env("USER", "alice"); /* a client cannot override it */
	check_env("LOGNAME", "alice");
	check_env("HOME", "/home/alice");
	check_env("SHELL", "/bin/bash");
	check_env("PATH", "/usr/local/bin:/usr/bin:/bin:/usr/games");
	check_env("MAIL", "/var/mail/alice");
	check_env("TZ", "Europe/Paris");
	check_env("TERM", "xterm");
	check_env("LANG", "C.UTF-8");
	check_env("SSH_CLIENT", "10.1.2.3 50000 2222");
	check_env("SSH_CONNECTION", "10.1.2.3 50000 10.9.8.7 2222");
	check_env("SSH_TTY", "/dev/pts/7");
	check_env("SSH_ORIGINAL_COMMAND", "ls");
	check_env("SSH_AUTH_SOCK", "/tmp/agent.sock");
	check_env("LEFTOVER", NULL);
	check_env("NOEQUALS", NULL);

	/* root's PATH; no pty, no TZ, no agent. */
	u.uid = 0;
	unsetenv("TZ");
	srv.agent_socket = NULL;
	CHECK_INT(session_env_setup(&srv, NULL), 0);
	check_env("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	check_env("TERM", NULL);
	check_env("SSH_TTY", NULL);
	check_env("TZ", NULL);
	check_env("SSH_AUTH_SOCK", NULL);
	check_env("LANG", NULL);
}

int main(void)
{
	test_subsystem();
	test_env();
	CHECK_DONE();
}
