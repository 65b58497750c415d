/*
 * ClientAliveInterval / ClientAliveCountMax for one connection: probes
 * (keepalive@openssh.com) while the client is silent, and the end of the
 * connection, with sshd's log line, once it was silent for interval x count.
 */
#ifndef BURROW_SERVER_SERVER_ALIVE_H
#define BURROW_SERVER_SERVER_ALIVE_H

#include "conn/conn.h"
#include "engine/engine.h"

struct event;
struct event_base;

struct server_alive {
	struct conn_alive st;
	struct event *ev;     /* NULL: off */
	struct event_base *base;
	struct engine *eng;
	struct conn *conn;
	int timed_out;        /* the loop was left because the client went silent */
	char who[192];        /* "user U ADDR port P", as sshd names the connection */
};

/* Start once authenticated (interval 0: off). */
int server_alive_start(struct server_alive *a, struct event_base *base, struct engine *eng,
		       struct conn *conn, int interval, int count_max, const char *user,
		       const char *peer);
/* A packet from the client arrived. */
void server_alive_rx(struct server_alive *a);
void server_alive_stop(struct server_alive *a);

#endif
