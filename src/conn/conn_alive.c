/*
 * Liveness of the peer (ServerAliveInterval/CountMax on the client,
 * ClientAliveInterval/CountMax on the server), without I/O or a clock: the
 * owner reports every packet received and asks, at the times it is told,
 * whether to probe or to give up.
 *
 * OpenSSH sends a keepalive@openssh.com request after each interval without
 * input and gives up once count_max of them went unanswered, which can take
 * up to (count_max + 1) x interval after the link died. burrow promises
 * detection within count_max x interval of the last packet received (so
 * within that bound of a silent link failure, plus the caller's timer
 * granularity): probes go out once every interval of silence (every half
 * interval when count_max is 1, so a live peer always has time to answer).
 */
#include "conn/conn.h"

#include <string.h>

void conn_alive_init(struct conn_alive *a, unsigned interval_s, unsigned count_max,
		     int zero_disables, uint64_t now_us)
{
	memset(a, 0, sizeof(*a));
	a->interval_us = (uint64_t)interval_s * 1000000u;
	a->count_max = count_max;
	a->zero_disables = zero_disables;
	a->last_rx_us = now_us;
}

void conn_alive_rx(struct conn_alive *a, uint64_t now_us)
{
	if (now_us > a->last_rx_us)
		a->last_rx_us = now_us;
	a->sent = 0;
}

/* Silence after which the peer counts as gone (0: never). */
static uint64_t dead_after(const struct conn_alive *a)
{
	if (a->count_max == 0)
		return a->zero_disables ? 0 : a->interval_us; /* ssh: gives up at once */
	return a->interval_us * a->count_max;
}

static uint64_t probe_period(const struct conn_alive *a)
{
	return a->count_max == 1 ? a->interval_us / 2 : a->interval_us;
}

int conn_alive_step(struct conn_alive *a, uint64_t now_us, uint64_t *next_us)
{
	uint64_t silent, dead = dead_after(a), period = probe_period(a), due;

	if (a->interval_us == 0 || period == 0)
		return CONN_ALIVE_OFF;
	silent = now_us > a->last_rx_us ? now_us - a->last_rx_us : 0;
	if (dead != 0 && silent >= dead)
		return CONN_ALIVE_DEAD;
	/* The next probe is due after (sent + 1) periods of silence. */
	due = period * (uint64_t)(a->sent + 1);
	if (silent >= due) {
		a->sent++;
		due = period * (uint64_t)(a->sent + 1);
		*next_us = a->last_rx_us + (dead != 0 && dead < due ? dead : due);
		return CONN_ALIVE_PROBE;
	}
	*next_us = a->last_rx_us + (dead != 0 && dead < due ? dead : due);
	return CONN_ALIVE_IDLE;
}

unsigned conn_alive_unanswered(const struct conn_alive *a)
{
	return a->sent;
}
