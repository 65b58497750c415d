/*
 * Agent forwarding, server side (OpenSSH PROTOCOL 4.1): after
 * "auth-agent-req@openssh.com" the connection's process listens on
 * /tmp/ssh-XXXXXXXXXX/agent.PID (directory 0700, owned by the user, since
 * the process already runs as the user); SSH_AUTH_SOCK names it in the
 * sessions started afterwards, and each connection to it becomes an
 * "auth-agent@openssh.com" channel to the client.
 */
#ifndef BURROW_SERVER_SERVER_AGENT_H
#define BURROW_SERVER_SERVER_AGENT_H

#include "conn/conn.h"

struct event_base;
struct net_listener;

struct server_agent {
	struct event_base *base;
	struct conn *conn;
	void (*flush)(void *);
	void *flush_arg;
	/* Internal. */
	struct net_listener *l;
	char dir[64];
	char path[128];
};

/* Create the directory and the listening socket (once; later calls succeed at once). */
int server_agent_start(struct server_agent *sa);
/* The socket's path, or NULL before server_agent_start(). */
const char *server_agent_path(const struct server_agent *sa);
/* Stop listening and remove the socket and its directory (the connection ends). */
void server_agent_stop(struct server_agent *sa);

#endif
