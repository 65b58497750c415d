/* burrow's per-run state, shared by the client's files. */
#ifndef BURROW_CLIENT_CLIENT_INT_H
#define BURROW_CLIENT_CLIENT_INT_H

#include <sys/types.h>

#include "auth/auth.h"
#include "chanio/chanio.h"
#include "client/client.h"
#include "conn/conn.h"
#include "engine/engine.h"
#include "fwd/fwd.h"

struct client {
	struct client_config *cfg;
	struct event_base *base;
	struct engine *eng;
	struct auth_client *auth;
	struct conn *conn;
	struct chanio *session;
	struct fwd_client fwd;
	struct hostkey_check hk;
	pid_t proxy_pid;   /* -J: the burrow -W process carrying our connection */
	int exit_status;   /* remote exit status, -1 until one arrives */
	int status;        /* what burrow exits with */
	int session_done;  /* the session (or -W channel) has ended */
	int fork_deferred; /* -f waits for the -R answers (ExitOnForwardFailure) */
	int saved_fl[3];
	char peer[128];    /* "ADDR port PORT" of the server */
};

/* Open the session channel and run the command or shell (client_session.c). */
int client_open_session(struct client *c);
/* The session or -W channel ended: leave once no forwarded connection remains. */
void client_session_ended(struct client *c);
/* -J: start `burrow -W host:port ... lasthop`; *fd is our end of its stdin/stdout. */
int client_start_proxy(struct client *c, const char *self, int *fd);

#endif
