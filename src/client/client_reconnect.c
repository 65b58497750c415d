/*
 * Reconnect=yes (burrow's own option, for -N tunnels): when the connection
 * is lost, wait with exponential backoff (1 s doubling, some jitter, capped
 * by ReconnectMaxDelay) and connect again. Listeners (-L, -D) stay bound
 * throughout; connections they accept while there is no SSH connection are
 * closed at once. -R forwards are requested again once re-authenticated.
 */
#include "client/client_int.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "util/log.h"

void client_quit(struct client *c)
{
	if (c->eng != NULL)
		engine_close(c->eng, SSH_DISCONNECT_BY_APPLICATION, "disconnected by user", 0);
	else
		event_base_loopbreak(c->base); /* between connections */
}

int client_reconnect_wanted(const struct client *c)
{
	const struct client_config *cfg = c->cfg;

	/* Only tunnels: with a command or -W there is nothing to resume. */
	return cfg->reconnect == 1 && cfg->no_shell && cfg->stdio_forward_host == NULL &&
	       c->forwarding && !c->session_done;
}

void client_drop_connection(struct client *c)
{
	client_alive_stop(c);
	/* Closes every forwarded connection through it (their closed ops run). */
	if (c->conn != NULL) {
		conn_free(c->conn);
		c->conn = NULL;
	}
	c->fwd.conn = NULL;
	auth_client_free(c->auth);
	c->auth = NULL;
	engine_free(c->eng);
	c->eng = NULL;
	if (c->proxy_pid > 0) {
		kill(c->proxy_pid, SIGTERM);
		waitpid(c->proxy_pid, NULL, 0);
		c->proxy_pid = 0;
	}
}

/* Backoff of attempt (1, 2, ...) in milliseconds: 1 s doubling, capped, minus up to 20 %. */
static long backoff_ms(unsigned attempt, int max_s)
{
	static int seeded;
	long ms = 1000;

	if (!seeded) {
		/* Jitter only spreads reconnecting clients apart: no secret involved. */
		srandom((unsigned)getpid() ^ (unsigned)time(NULL));
		seeded = 1;
	}
	for (unsigned i = 1; i < attempt && ms < (long)max_s * 1000; i++)
		ms *= 2;
	if (ms > (long)max_s * 1000)
		ms = (long)max_s * 1000;
	return ms - (long)(random() % (ms / 5 + 1));
}

int client_reconnect_wait(struct client *c, unsigned attempt)
{
	long ms = backoff_ms(attempt, c->cfg->reconnect_max_delay);
	struct timeval tv;

	log_info("Reconnecting in %.1f s (attempt %u)", (double)ms / 1000.0, attempt);
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	/* The loop keeps serving the listeners and the control socket meanwhile. */
	if (event_base_loopexit(c->base, &tv) != 0)
		return -1;
	event_base_dispatch(c->base);
	if (event_base_got_break(c->base) || c->session_done)
		return -1; /* -O exit while disconnected */
	return 0;
}
