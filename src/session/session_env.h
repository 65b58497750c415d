/*
 * The login environment of a session's child, built as sshd(8) builds it,
 * and what a login prints before the shell starts (nologin, motd). Every
 * function here runs in the forked child, after it became the user.
 */
#ifndef BURROW_SESSION_SESSION_ENV_H
#define BURROW_SESSION_SESSION_ENV_H

#include <stddef.h>

#include "session/session.h"

/* What the child knows about its session beyond the session_server. */
struct session_env_info {
	const char *tty;           /* "/dev/pts/N" when a pty was allocated, else NULL */
	const char *term;          /* TERM from pty-req (NULL or "": not set) */
	const char *original;      /* SSH_ORIGINAL_COMMAND (forced command), or NULL */
	char *const *client_env;   /* "NAME=value" from accepted env requests */
	size_t n_client_env;
};

/*
 * Replace the environment with sshd's login environment: the client's
 * accepted variables first (so none of the following can be overridden),
 * then USER, LOGNAME, HOME, PATH, MAIL, SHELL, TZ (if burrowd has one),
 * TERM, SSH_CLIENT, SSH_CONNECTION, SSH_TTY, SSH_ORIGINAL_COMMAND and
 * SSH_AUTH_SOCK. Returns 0 or ERR_ALLOC.
 */
int session_env_setup(const struct session_server *srv, const struct session_env_info *info);

/*
 * /etc/nologin: for every user but root, print it and return nonzero (the
 * child then exits 254 as sshd's does). 0 when the login may go on.
 */
int session_env_nologin(const struct session_server *srv);

/*
 * The messages of a login on a terminal (sshd's do_login): /etc/motd when
 * print_motd is set, unless a command was given or ~/.hushlogin exists.
 * Writes to stdout.
 */
void session_env_motd(const struct session_server *srv, const char *command, int has_tty);

/*
 * Run the user's shell, never returning: with command NULL as a login shell
 * (argv[0] "-" + the shell's base name), else as `shell -c command`.
 */
void session_env_exec(const struct session_user *u, const char *command)
	__attribute__((noreturn));

#endif
