/* The login environment and login messages of a session's child, as sshd(8) makes them. */
#include "session/session_env.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/err.h"

/* Debian's sshd is built with these (configure --with-default-path / --with-superuser-path). */
#define PATH_USER "/usr/local/bin:/usr/bin:/bin:/usr/games"
#define PATH_ROOT "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define MAIL_DIR "/var/mail"
#define NOLOGIN_FILE "/etc/nologin"
#define MOTD_FILE "/etc/motd"

/* "NAME=value" from a client's env request; names with '=' or empty are skipped. */
static int put_pair(const char *pair)
{
	const char *eq = strchr(pair, '=');
	char *name;
	int r;

	if (eq == NULL || eq == pair)
		return 0;
	if ((name = strndup(pair, (size_t)(eq - pair))) == NULL)
		return ERR_ALLOC;
	r = setenv(name, eq + 1, 1) == 0 ? 0 : ERR_ALLOC;
	free(name);
	return r;
}

/*
 * SSH_CLIENT is "client_ip client_port server_port": SSH_CONNECTION
 * ("client_ip client_port server_ip server_port") without its third field.
 */
static int put_ssh_client(const char *conn)
{
	const char *s1 = strchr(conn, ' ');
	const char *s2 = s1 != NULL ? strchr(s1 + 1, ' ') : NULL;
	const char *s3 = s2 != NULL ? strchr(s2 + 1, ' ') : NULL;
	char buf[256];
	int n;

	if (s3 == NULL)
		return 0;
	n = snprintf(buf, sizeof(buf), "%.*s%s", (int)(s2 - conn), conn, s3);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return 0;
	return setenv("SSH_CLIENT", buf, 1) == 0 ? 0 : ERR_ALLOC;
}

static int put(const char *name, const char *value)
{
	if (value == NULL)
		return 0;
	return setenv(name, value, 1) == 0 ? 0 : ERR_ALLOC;
}

int session_env_setup(const struct session_server *srv, const struct session_env_info *info)
{
	const struct session_user *u = srv->user;
	const char *tz = getenv("TZ");
	char *tz_copy = NULL;
	char mail[512];
	int r = 0;

	/* sshd passes on its own TZ, if it has one. */
	if (tz != NULL && (tz_copy = strdup(tz)) == NULL)
		return ERR_ALLOC;
	clearenv();
	for (size_t i = 0; info != NULL && i < info->n_client_env && r == 0; i++)
		r = put_pair(info->client_env[i]);
	snprintf(mail, sizeof(mail), "%s/%s", MAIL_DIR, u->name);
	if (r != 0 || (r = put("USER", u->name)) != 0 || (r = put("LOGNAME", u->name)) != 0 ||
	    (r = put("HOME", u->home)) != 0 ||
	    (r = put("PATH", u->uid == 0 ? PATH_ROOT : PATH_USER)) != 0 ||
	    (r = put("MAIL", mail)) != 0 || (r = put("SHELL", u->shell)) != 0 ||
	    (r = put("TZ", tz_copy)) != 0)
		goto out;
	if (info != NULL && info->term != NULL && info->term[0] != '\0' &&
	    (r = put("TERM", info->term)) != 0)
		goto out;
	if (srv->ssh_connection != NULL &&
	    ((r = put_ssh_client(srv->ssh_connection)) != 0 ||
	     (r = put("SSH_CONNECTION", srv->ssh_connection)) != 0))
		goto out;
	if (info != NULL && ((r = put("SSH_TTY", info->tty)) != 0 ||
			     (r = put("SSH_ORIGINAL_COMMAND", info->original)) != 0))
		goto out;
	if (srv->agent_socket != NULL)
		r = put("SSH_AUTH_SOCK", srv->agent_socket(srv->agent_arg));
out:
	free(tz_copy);
	return r;
}

/* Copy a small text file to stdout; a missing file is fine. */
static void cat_file(const char *path)
{
	char buf[4096];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(1, buf + off, (size_t)(n - off));

			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				close(fd);
				return;
			}
			off += w;
		}
	}
	close(fd);
}

int session_env_nologin(const struct session_server *srv)
{
	struct stat st;

	if (srv->user->uid == 0 || stat(NOLOGIN_FILE, &st) != 0)
		return 0;
	cat_file(NOLOGIN_FILE);
	return 1;
}

void session_env_motd(const struct session_server *srv, const char *command, int has_tty)
{
	char hush[1024];
	struct stat st;
	int n;

	/* sshd prints login messages only for a shell on a terminal (check_quietlogin). */
	if (!has_tty || command != NULL || !srv->print_motd)
		return;
	n = snprintf(hush, sizeof(hush), "%s/.hushlogin", srv->user->home);
	if (n > 0 && (size_t)n < sizeof(hush) && stat(hush, &st) == 0)
		return;
	cat_file(MOTD_FILE);
}

void session_env_exec(const struct session_user *u, const char *command)
{
	const char *base = strrchr(u->shell, '/');
	char argv0[256];

	base = base != NULL ? base + 1 : u->shell;
	if (command == NULL) {
		/* A login shell: argv[0] is "-" and the shell's base name. */
		snprintf(argv0, sizeof(argv0), "-%s", base);
		execl(u->shell, argv0, (char *)NULL);
	} else {
		execl(u->shell, base, "-c", command, (char *)NULL);
	}
	fprintf(stderr, "burrowd: exec %s: %s\n", u->shell, strerror(errno));
	_exit(127);
}
