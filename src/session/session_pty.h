/*
 * Terminal sessions (RFC 4254 sections 6.2, 6.4, 6.7, 6.9 and 8): the
 * encoded terminal modes both sides share, the server's pseudo-terminal,
 * window-change, signal and env requests, and the signal names.
 */
#ifndef BURROW_SESSION_SESSION_PTY_H
#define BURROW_SESSION_SESSION_PTY_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <termios.h>

#include "wire/buf.h"
#include "wire/rd.h"

struct chanio;
struct session_server;

/* Most env requests one session keeps. */
#define SESSION_MAX_ENV 256

/* A session channel's terminal and environment requests (server side). */
struct session_tty {
	int master, slave;     /* -1 until a pty-req was granted */
	char *term;            /* TERM from pty-req */
	char name[64];         /* slave path, for SSH_TTY */
	char *env[SESSION_MAX_ENV]; /* accepted "NAME=value" from env requests */
	int n_env;
};

void session_tty_init(struct session_tty *t);
void session_tty_free(struct session_tty *t);
/*
 * pty-req, env, window-change and signal. pid is the running child (0 before
 * exec/shell). Returns 0 (success), a negative error (failure), or
 * ERR_NOT_FOUND when `type` is none of these four.
 */
int session_tty_request(struct session_tty *t, const struct session_server *srv, pid_t pid,
			const char *type, struct rd *args);
int session_tty_has_pty(const struct session_tty *t);
/*
 * Fork the child of a session that has a pty: in the child the slave becomes
 * the controlling terminal of a new session and its stdin/stdout/stderr (0
 * is returned there); in the parent the master is handed to cio as source
 * and sink and the child's pid is returned. -1 on failure.
 */
pid_t session_tty_fork(struct session_tty *t, struct chanio *cio);
/* In the child: TERM, SSH_TTY and the accepted env variables. */
void session_tty_child_env(const struct session_tty *t);

/*
 * Encoded terminal modes (RFC 4254 section 8): opcode byte, uint32 argument,
 * TTY_OP_END. encode appends the modes of tio (with the speeds) to out;
 * apply sets the modes found in p on tio, ignoring opcodes it does not
 * know and stopping at TTY_OP_END or the first opcode of 160 or more.
 */
int session_modes_encode(const struct termios *tio, struct buf *out);
int session_modes_apply(struct termios *tio, const uint8_t *p, size_t n);

/* RFC 4254 6.10 signal names without "SIG": number or -1; name or NULL. */
int session_signal_number(const char *name);
const char *session_signal_name(int sig);

/* AcceptEnv: 1 if name matches one of the patterns (* and ?), else 0. */
int session_env_accepted(const char *name, char *const *patterns, int n);

#endif
