/*
 * The server's terminal side of a session channel: pty-req (RFC 4254 6.2),
 * env (6.4), window-change (6.7) and signal (6.9).
 */
#include "session/session_pty.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "chanio/chanio.h"
#include "session/session.h"
#include "util/err.h"
#include "util/log.h"

/* A window size beyond this is nonsense (and would not fit struct winsize). */
#define TTY_MAX_DIM 65535u

void session_tty_init(struct session_tty *t)
{
	memset(t, 0, sizeof(*t));
	t->master = -1;
	t->slave = -1;
}

void session_tty_free(struct session_tty *t)
{
	if (t->master >= 0)
		close(t->master);
	if (t->slave >= 0)
		close(t->slave);
	free(t->term);
	for (int i = 0; i < t->n_env; i++)
		free(t->env[i]);
	session_tty_init(t);
}

int session_tty_has_pty(const struct session_tty *t)
{
	return t->master >= 0;
}

static int read_winsize(struct rd *args, struct winsize *ws)
{
	uint32_t cols, rows, xpix, ypix;
	int r;

	if ((r = rd_u32(args, &cols)) != 0 || (r = rd_u32(args, &rows)) != 0 ||
	    (r = rd_u32(args, &xpix)) != 0 || (r = rd_u32(args, &ypix)) != 0)
		return r;
	if (cols > TTY_MAX_DIM || rows > TTY_MAX_DIM || xpix > TTY_MAX_DIM || ypix > TTY_MAX_DIM)
		return ERR_TOO_LARGE;
	memset(ws, 0, sizeof(*ws));
	ws->ws_col = (unsigned short)cols;
	ws->ws_row = (unsigned short)rows;
	ws->ws_xpixel = (unsigned short)xpix;
	ws->ws_ypixel = (unsigned short)ypix;
	return 0;
}

/* Open a pty pair as the user (this process already is the user). */
static int open_pty(struct session_tty *t)
{
	int m, s;

	if ((m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0)
		goto fail;
	if (grantpt(m) != 0 || unlockpt(m) != 0 || ptsname_r(m, t->name, sizeof(t->name)) != 0) {
		close(m);
		goto fail;
	}
	if ((s = open(t->name, O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0) {
		close(m);
		goto fail;
	}
	t->master = m;
	t->slave = s;
	return 0;
fail:
	log_error("session: cannot allocate a pseudo-terminal: %s", strerror(errno));
	return ERR_SYSTEM;
}

static int pty_req(struct session_tty *t, const struct session_server *srv, pid_t pid,
		   struct rd *args)
{
	const uint8_t *modes;
	size_t modes_len;
	struct winsize ws;
	struct termios tio;
	char *term = NULL;
	int r;

	if ((r = rd_cstring(args, &term)) != 0 || (r = read_winsize(args, &ws)) != 0 ||
	    (r = rd_string(args, &modes, &modes_len)) != 0 || (r = rd_end(args)) != 0)
		goto out;
	if (pid != 0 || t->master >= 0) {
		r = ERR_BAD_STATE;
		goto out;
	}
	if (srv->no_pty) {
		log_debug("session: pty allocation disabled by key options");
		r = ERR_PERMISSION;
		goto out;
	}
	if ((r = open_pty(t)) != 0)
		goto out;
	if (tcgetattr(t->slave, &tio) != 0 || session_modes_apply(&tio, modes, modes_len) != 0 ||
	    tcsetattr(t->slave, TCSANOW, &tio) != 0)
		log_debug("session: terminal modes not applied: %s", strerror(errno));
	if (ioctl(t->master, TIOCSWINSZ, &ws) != 0)
		log_debug("session: TIOCSWINSZ: %s", strerror(errno));
	t->term = term;
	term = NULL;
	log_debug("session: allocated %s (%ux%u, TERM=%s)", t->name, ws.ws_col, ws.ws_row, t->term);
out:
	free(term);
	return r;
}

static int window_change(struct session_tty *t, struct rd *args)
{
	struct winsize ws;
	int r;

	if ((r = read_winsize(args, &ws)) != 0 || (r = rd_end(args)) != 0)
		return r;
	if (t->master < 0)
		return ERR_BAD_STATE;
	/* The kernel sends SIGWINCH to the terminal's foreground process group. */
	if (ioctl(t->master, TIOCSWINSZ, &ws) != 0)
		return ERR_SYSTEM;
	return 0;
}

/* Only names AcceptEnv lists, only before the command starts. */
static int env_req(struct session_tty *t, const struct session_server *srv, pid_t pid,
		   struct rd *args)
{
	char *name = NULL, *value = NULL, *kv = NULL;
	size_t nl, vl;
	int r, i;

	if ((r = rd_cstring(args, &name)) != 0 || (r = rd_cstring(args, &value)) != 0 ||
	    (r = rd_end(args)) != 0)
		goto out;
	r = ERR_PERMISSION;
	if (pid != 0 || *name == '\0' || strchr(name, '=') != NULL ||
	    !session_env_accepted(name, srv->accept_env, srv->n_accept_env)) {
		log_debug("session: ignoring env request %s: disallowed name", name);
		goto out;
	}
	nl = strlen(name);
	vl = strlen(value);
	if (nl > 4096 || vl > 65536 || (kv = malloc(nl + vl + 2)) == NULL) {
		r = ERR_TOO_LARGE;
		goto out;
	}
	memcpy(kv, name, nl);
	kv[nl] = '=';
	memcpy(kv + nl + 1, value, vl + 1);
	for (i = 0; i < t->n_env; i++)
		if (strncmp(t->env[i], kv, nl + 1) == 0)
			break;
	if (i == SESSION_MAX_ENV) {
		r = ERR_TOO_LARGE;
		goto out;
	}
	if (i < t->n_env)
		free(t->env[i]);
	else
		t->n_env++;
	t->env[i] = kv;
	kv = NULL;
	log_debug("session: setenv %s", name);
	r = 0;
out:
	free(name);
	free(value);
	free(kv);
	return r;
}

/*
 * With a terminal the signal goes to its foreground process group (what a
 * key like ^C would reach); without one, to the child's process group.
 */
static int signal_req(struct session_tty *t, const struct session_server *srv, pid_t pid,
		      struct rd *args)
{
	char *name = NULL;
	pid_t pg = 0;
	int sig, r;

	if ((r = rd_cstring(args, &name)) != 0 || (r = rd_end(args)) != 0)
		goto out;
	r = ERR_INVALID_ARG;
	if ((sig = session_signal_number(name)) < 0) {
		log_info("session: unsupported signal \"%s\"", name);
		goto out;
	}
	r = ERR_BAD_STATE;
	if (pid <= 0)
		goto out;
	/* As sshd: a forced command is not the user's to signal. */
	r = ERR_PERMISSION;
	if (srv->forced_command != NULL) {
		log_info("session: refusing to deliver signal %s to a forced command", name);
		goto out;
	}
	if (t->master >= 0)
		pg = tcgetpgrp(t->master);
	if (pg <= 0)
		pg = pid;
	log_debug("session: signal %s to process group %ld", name, (long)pg);
	r = killpg(pg, sig) == 0 ? 0 : ERR_SYSTEM;
out:
	free(name);
	return r;
}

int session_tty_request(struct session_tty *t, const struct session_server *srv, pid_t pid,
			const char *type, struct rd *args)
{
	if (strcmp(type, "pty-req") == 0)
		return pty_req(t, srv, pid, args);
	if (strcmp(type, "window-change") == 0)
		return window_change(t, args);
	if (strcmp(type, "env") == 0)
		return env_req(t, srv, pid, args);
	if (strcmp(type, "signal") == 0)
		return signal_req(t, srv, pid, args);
	return ERR_NOT_FOUND;
}

pid_t session_tty_fork(struct session_tty *t, struct chanio *cio)
{
	int in = -1, out = -1;
	pid_t pid;

	if ((in = fcntl(t->master, F_DUPFD_CLOEXEC, 3)) < 0 ||
	    (out = fcntl(t->master, F_DUPFD_CLOEXEC, 3)) < 0)
		goto fail;
	if ((pid = fork()) < 0)
		goto fail;
	if (pid == 0) {
		/* A new session whose controlling terminal is the slave. */
		if (setsid() < 0 || ioctl(t->slave, TIOCSCTTY, 0) != 0 || dup2(t->slave, 0) < 0 ||
		    dup2(t->slave, 1) < 0 || dup2(t->slave, 2) < 0)
			_exit(1);
		return 0;
	}
	close(t->slave);
	t->slave = -1;
	/* The chanio owns both descriptors from here, even on failure. */
	if (chanio_add_source(cio, in, 0) != 0) {
		close(out);
		kill(pid, SIGHUP);
		return pid;
	}
	if (chanio_add_sink(cio, out, 0) != 0)
		kill(pid, SIGHUP);
	return pid;
fail:
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	return -1;
}

void session_tty_child_env(const struct session_tty *t)
{
	for (int i = 0; i < t->n_env; i++)
		putenv(t->env[i]);
	if (t->master >= 0) {
		setenv("SSH_TTY", t->name, 1);
		if (t->term != NULL && *t->term != '\0')
			setenv("TERM", t->term, 1);
	}
}
