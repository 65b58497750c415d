/*
 * ServerAliveInterval / ServerAliveCountMax: keepalive@openssh.com probes
 * while the server is silent; after interval x count of silence, ssh's
 * "Timeout, server HOST not responding." and exit status 255.
 */
#include "client/client_int.h"

#include <stdio.h>

#include <event2/event.h>

#include "util/err.h"
#include "util/log.h"

static void alive_reply(void *arg, int success, struct rd *args)
{
	(void)arg;
	(void)success; /* any answer will do: servers answer "failure" */
	(void)args;
}

static void alive_arm(struct client *c, uint64_t next_us)
{
	uint64_t now = engine_clock_us(NULL);
	uint64_t d = next_us > now ? next_us - now : 0;
	struct timeval tv = { (time_t)(d / 1000000u), (suseconds_t)(d % 1000000u) };

	event_add(c->alive_ev, &tv);
}

static void on_alive(evutil_socket_t fd, short what, void *arg)
{
	struct client *c = arg;
	uint64_t next = 0;

	(void)fd;
	(void)what;
	switch (conn_alive_step(&c->alive, engine_clock_us(NULL), &next)) {
	case CONN_ALIVE_DEAD:
		/* No DISCONNECT: nothing reaches a silent peer, and a full socket would stall us. */
		fprintf(stderr, "Timeout, server %s not responding.\r\n", c->cfg->hostname);
		c->status = 255;
		if (!client_reconnect_wanted(c))
			c->session_done = 1; /* Reconnect=yes replaces the connection instead */
		event_base_loopbreak(c->base);
		return;
	case CONN_ALIVE_PROBE:
		log_debug("client: sending keepalive (%u unanswered)",
			  conn_alive_unanswered(&c->alive));
		if (c->conn != NULL &&
		    conn_send_global(c->conn, "keepalive@openssh.com", 1, NULL, 0, alive_reply,
				     c) == 0)
			engine_flush(c->eng);
		break;
	case CONN_ALIVE_OFF:
		return;
	default:
		break;
	}
	alive_arm(c, next);
}

int client_alive_start(struct client *c)
{
	uint64_t next = 0;

	if (c->cfg->server_alive_interval <= 0)
		return 0;
	conn_alive_init(&c->alive, (unsigned)c->cfg->server_alive_interval,
			(unsigned)(c->cfg->server_alive_count_max < 0 ? 0
								       : c->cfg->server_alive_count_max),
			0, engine_clock_us(NULL));
	if ((c->alive_ev = event_new(c->base, -1, 0, on_alive, c)) == NULL)
		return ERR_ALLOC;
	if (conn_alive_step(&c->alive, engine_clock_us(NULL), &next) == CONN_ALIVE_IDLE)
		alive_arm(c, next);
	return 0;
}

void client_alive_rx(struct client *c)
{
	if (c->alive_ev != NULL)
		conn_alive_rx(&c->alive, engine_clock_us(NULL));
}

void client_alive_stop(struct client *c)
{
	if (c->alive_ev != NULL) {
		event_free(c->alive_ev);
		c->alive_ev = NULL;
	}
}
