/*
 * Agent forwarding, client side (OpenSSH PROTOCOL 4.1 / ssh(1) -A): the
 * session channel carries "auth-agent-req@openssh.com"; afterwards each
 * "auth-agent@openssh.com" channel the server opens is joined to a new
 * connection to our agent. Without -A such opens are refused.
 */
#include "client/client_int.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/err.h"
#include "util/log.h"

struct agent_chan {
	struct chanio *cio;
};

int client_agent_request(struct client *c, struct chan *session)
{
	int r;

	if (!c->cfg->forward_agent)
		return 0;
	if (agent_socket_path(c->cfg->identity_agent) == NULL) {
		log_debug("Agent forwarding requested but no agent is available");
		return 0;
	}
	log_debug("Requesting authentication agent forwarding.");
	/* want_reply FALSE, as ssh sends it. */
	if ((r = chan_send_request(session, "auth-agent-req@openssh.com", 0, NULL, 0)) == 0)
		c->agent_requested = 1;
	return r;
}

static void ac_drained(void *arg)
{
	struct agent_chan *a = arg;

	chanio_close(a->cio);
}

static void ac_closed(void *arg)
{
	free(arg);
}

static const struct chanio_hooks agent_chan_hooks = {
	.drained = ac_drained,
	.closed = ac_closed,
};

int client_agent_open(struct client *c, struct chan *ch, uint32_t *reason, const char **msg)
{
	const char *sock = agent_socket_path(c->cfg->identity_agent);
	struct agent_chan *a;
	int fd = -1, r;

	if (!c->agent_requested || sock == NULL) {
		log_error("Warning: ssh server tried agent forwarding.");
		log_error("Warning: this is probably a break-in attempt by a malicious server.");
		*reason = SSH_OPEN_ADMINISTRATIVELY_PROHIBITED;
		*msg = "agent forwarding not requested";
		return -1;
	}
	if ((r = agent_socket_connect(sock, &fd)) != 0) {
		log_debug("agent forwarding: cannot connect to %s: %s", sock, err_str(r));
		*reason = SSH_OPEN_CONNECT_FAILED;
		*msg = "cannot connect to the agent";
		return -1;
	}
	if ((a = calloc(1, sizeof(*a))) == NULL ||
	    chanio_new(c->base, &agent_chan_hooks, a, engine_flush_cb, c->eng, &a->cio) != 0) {
		free(a);
		close(fd);
		*reason = SSH_OPEN_RESOURCE_SHORTAGE;
		*msg = "out of memory";
		return -1;
	}
	if (chanio_add_socket(a->cio, fd) != 0) {
		close(fd);
		chanio_abort(a->cio);
		*reason = SSH_OPEN_RESOURCE_SHORTAGE;
		*msg = "out of resources";
		return -1;
	}
	chanio_set_channel(a->cio, ch);
	if (chan_accept(ch, chanio_chan_ops(), a->cio) != 0) {
		chanio_abort(a->cio);
		return 0; /* the channel is gone with the chanio */
	}
	chanio_start(a->cio);
	return 0;
}
