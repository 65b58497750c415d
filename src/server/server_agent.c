/* Agent forwarding on burrowd: a private listening socket, one channel per connection to it. */
#include "server/server_agent.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chanio/chanio.h"
#include "net/listener.h"
#include "util/err.h"
#include "util/log.h"

struct agent_conn {
	struct chanio *cio;
};

static void conn_open_result(void *arg, int ok, uint32_t reason, const char *msg)
{
	struct agent_conn *a = arg;

	if (ok) {
		chanio_start(a->cio);
		return;
	}
	log_debug("agent forwarding: channel refused: %u %s", reason, msg != NULL ? msg : "");
}

static void conn_drained(void *arg)
{
	struct agent_conn *a = arg;

	chanio_close(a->cio);
}

static void conn_closed(void *arg)
{
	free(arg);
}

static const struct chanio_hooks agent_conn_hooks = {
	.open_result = conn_open_result,
	.drained = conn_drained,
	.closed = conn_closed,
};

static void on_accept(void *arg, int fd)
{
	struct server_agent *sa = arg;
	struct agent_conn *a;
	struct chan *ch = NULL;

	if ((a = calloc(1, sizeof(*a))) == NULL ||
	    chanio_new(sa->base, &agent_conn_hooks, a, sa->flush, sa->flush_arg, &a->cio) != 0) {
		free(a);
		close(fd);
		return;
	}
	if (chanio_add_socket(a->cio, fd) != 0) {
		close(fd);
		chanio_abort(a->cio);
		return;
	}
	/* No type-specific data (PROTOCOL 4.1). */
	if (chan_open(sa->conn, "auth-agent@openssh.com", NULL, 0, chanio_chan_ops(), a->cio,
		      &ch) != 0) {
		chanio_abort(a->cio);
		return;
	}
	chanio_set_channel(a->cio, ch);
	sa->flush(sa->flush_arg);
}

int server_agent_start(struct server_agent *sa)
{
	char err[256];
	int fd = -1, r;

	if (sa->l != NULL)
		return 0;
	snprintf(sa->dir, sizeof(sa->dir), "/tmp/ssh-XXXXXXXXXX");
	/* mkdtemp makes the directory 0700, owned by us: we already run as the user. */
	if (mkdtemp(sa->dir) == NULL) {
		log_error("agent forwarding: mkdtemp: %s", strerror(errno));
		sa->dir[0] = '\0';
		return ERR_SYSTEM;
	}
	snprintf(sa->path, sizeof(sa->path), "%s/agent.%ld", sa->dir, (long)getpid());
	if ((r = net_listen_unix(sa->path, &fd, err, sizeof(err))) != 0) {
		log_error("agent forwarding: %s", err);
		goto fail;
	}
	if ((r = net_listener_new(sa->base, fd, on_accept, sa, &sa->l)) != 0) {
		close(fd);
		unlink(sa->path);
		goto fail;
	}
	log_debug("agent forwarding: listening on %s", sa->path);
	return 0;
fail:
	rmdir(sa->dir);
	sa->dir[0] = '\0';
	sa->path[0] = '\0';
	return r;
}

const char *server_agent_path(const struct server_agent *sa)
{
	return sa->l != NULL ? sa->path : NULL;
}

void server_agent_stop(struct server_agent *sa)
{
	if (sa->l == NULL)
		return;
	net_listener_free(sa->l);
	sa->l = NULL;
	unlink(sa->path);
	rmdir(sa->dir);
	sa->path[0] = '\0';
	sa->dir[0] = '\0';
}
