/* sshd's ClientAliveInterval/CountMax semantics on burrowd's connection (see conn_alive.c). */
#include "server/server_alive.h"

#include <stdio.h>
#include <string.h>

#include <event2/event.h>

#include "util/err.h"
#include "util/log.h"

static void alive_reply(void *arg, int success, struct rd *args)
{
	(void)arg;
	(void)success; /* clients answer "failure": any answer is a sign of life */
	(void)args;
}

static void alive_arm(struct server_alive *a, uint64_t next_us)
{
	uint64_t now = engine_clock_us(NULL);
	uint64_t d = next_us > now ? next_us - now : 0;
	struct timeval tv = { (time_t)(d / 1000000u), (suseconds_t)(d % 1000000u) };

	event_add(a->ev, &tv);
}

static void on_alive(evutil_socket_t fd, short what, void *arg)
{
	struct server_alive *a = arg;
	uint64_t next = 0;

	(void)fd;
	(void)what;
	switch (conn_alive_step(&a->st, engine_clock_us(NULL), &next)) {
	case CONN_ALIVE_DEAD:
		/* sshd's words; no DISCONNECT, nothing would reach a silent peer. */
		log_info("Timeout, client not responding from %s", a->who);
		a->timed_out = 1;
		event_base_loopbreak(a->base);
		return;
	case CONN_ALIVE_PROBE:
		log_debug("server: sending client alive probe (%u unanswered)",
			  conn_alive_unanswered(&a->st));
		if (conn_send_global(a->conn, "keepalive@openssh.com", 1, NULL, 0, alive_reply,
				     a) == 0)
			engine_flush(a->eng);
		break;
	case CONN_ALIVE_OFF:
		return;
	default:
		break;
	}
	alive_arm(a, next);
}

int server_alive_start(struct server_alive *a, struct event_base *base, struct engine *eng,
		       struct conn *conn, int interval, int count_max, const char *user,
		       const char *peer)
{
	uint64_t next = 0;

	if (interval <= 0)
		return 0;
	a->base = base;
	a->eng = eng;
	a->conn = conn;
	snprintf(a->who, sizeof(a->who), "user %s %s", user, peer);
	/* sshd: ClientAliveCountMax 0 disables the termination, not the probes. */
	conn_alive_init(&a->st, (unsigned)interval, (unsigned)(count_max < 0 ? 0 : count_max), 1,
			engine_clock_us(NULL));
	if ((a->ev = event_new(base, -1, 0, on_alive, a)) == NULL)
		return ERR_ALLOC;
	if (conn_alive_step(&a->st, engine_clock_us(NULL), &next) == CONN_ALIVE_IDLE)
		alive_arm(a, next);
	return 0;
}

void server_alive_rx(struct server_alive *a)
{
	if (a->ev != NULL)
		conn_alive_rx(&a->st, engine_clock_us(NULL));
}

void server_alive_stop(struct server_alive *a)
{
	if (a->ev != NULL) {
		event_free(a->ev);
		a->ev = NULL;
	}
}
