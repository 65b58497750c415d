/*
 * Server side of "session" channels (RFC 4254 section 6): exec and shell
 * requests run the user's shell as that user with pipes for stdin, stdout
 * and stderr; the exit status or signal is reported before the channel
 * closes.
 */
#ifndef BURROW_SESSION_SESSION_H
#define BURROW_SESSION_SESSION_H

#include <sys/types.h>

#include "conn/conn.h"

struct event_base;

struct session_user {
	char *name;
	uid_t uid;
	gid_t gid;
	char *home;
	char *shell;
};

struct session_server {
	struct event_base *base;
	void (*flush)(void *);     /* write out what the transport queued */
	void *flush_arg;
	const struct session_user *user;
	int change_user;           /* running as root: drop to the user in the child */
	const char *ssh_connection;/* "client_ip client_port server_ip server_port" */
	const char *forced_command;/* authorized_keys command="..." (NULL if none) */
	/*
	 * auth-agent-req@openssh.com: start agent forwarding for the connection
	 * (0) or refuse it (nonzero). NULL refuses every such request.
	 */
	int (*agent_request)(void *agent_arg);
	/* SSH_AUTH_SOCK for commands started from now on (NULL: none). May be NULL. */
	const char *(*agent_socket)(void *agent_arg);
	void *agent_arg;
	/* sshd_config after Match: Subsystem "name command [args]" entries, PrintMotd. */
	char *const *subsystems;
	int n_subsystems;
	int print_motd;
	/*
	 * utmp/wtmp: a session with a pty started (pid is its child) or ended.
	 * tty is "/dev/pts/N". May be NULL (no records kept).
	 */
	void (*login_record)(void *login_arg, const char *tty, pid_t pid);
	void (*logout_record)(void *login_arg, const char *tty);
	void *login_arg;
	/* sshd_config AcceptEnv patterns after Match: env requests allowed. */
	char *const *accept_env;
	int n_accept_env;
	/* pty-req refused: no-pty / restrict key option, certificate without permit-pty. */
	int no_pty;
};

/* Accept a peer's "session" open: the channel's requests are handled from here on. */
int session_accept(const struct session_server *srv, struct chan *ch);
/* Collect exited children (call when SIGCHLD arrives). */
void session_reap(void);
/* Hang up every running child (the connection is going away). */
void session_hangup_all(void);

#endif
