/* The session channel: exec or shell, our stdin/stdout/stderr, the exit status. */
#include "client/client_int.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/err.h"
#include "util/log.h"

static int session_request(void *arg, const char *type, int want_reply, struct rd *args)
{
	struct client *c = arg;
	uint32_t status;

	(void)want_reply;
	if (strcmp(type, "exit-status") == 0 && rd_u32(args, &status) == 0 && rd_end(args) == 0) {
		c->exit_status = (int)(status & 0xff);
		log_debug("client_input_channel_req: channel 0 rtype exit-status reply 0");
		return 0;
	}
	if (strcmp(type, "exit-signal") == 0) {
		char *sig = NULL;

		if (rd_cstring(args, &sig) == 0)
			log_debug("Remote command killed by signal %s", sig);
		free(sig);
		return 0;
	}
	return ERR_UNSUPPORTED;
}

static void session_reply(void *arg, int success)
{
	struct client *c = arg;

	if (!success) {
		fprintf(stderr, "%s request failed on channel 0\r\n",
			c->cfg->command != NULL ? "exec" : "shell");
		chanio_close(c->session);
		return;
	}
	chanio_start(c->session);
}

static void session_open_result(void *arg, int ok, uint32_t reason, const char *msg)
{
	struct client *c = arg;
	struct chan *ch = chanio_channel(c->session);
	struct buf b;

	if (!ok) {
		fprintf(stderr, "channel 0: open failed: %s: %s\r\n", fwd_reason_text(reason), msg);
		return; /* the closed hook follows */
	}
	if (client_agent_request(c, ch) != 0)
		log_debug("agent forwarding request not sent");
	buf_init(&b);
	if (c->cfg->command != NULL) {
		log_debug("Sending command: %s", c->cfg->command);
		buf_put_cstring(&b, c->cfg->command);
		chan_send_request(ch, "exec", 1, buf_ptr(&b), buf_len(&b));
	} else {
		chan_send_request(ch, "shell", 1, NULL, 0);
	}
	buf_free(&b);
	engine_flush(c->eng);
}

static void session_closed(void *arg)
{
	struct client *c = arg;

	c->session = NULL;
	c->status = c->exit_status >= 0 ? c->exit_status : 255;
	client_session_ended(c);
}

static const struct chanio_hooks session_hooks = {
	.request = session_request,
	.reply = session_reply,
	.open_result = session_open_result,
	.closed = session_closed,
};

int client_open_session(struct client *c)
{
	struct chan *ch;
	int in, r;

	if ((r = chanio_new(c->base, &session_hooks, c, engine_flush_cb, c->eng, &c->session)) != 0)
		return r;
	in = c->cfg->stdin_null ? open("/dev/null", O_RDONLY | O_CLOEXEC) : dup(0);
	if (in < 0 || (r = chanio_add_source(c->session, in, 0)) != 0 ||
	    (r = chanio_add_sink(c->session, dup(1), 0)) != 0 ||
	    (r = chanio_add_sink(c->session, dup(2), 1)) != 0) {
		chanio_abort(c->session);
		return r != 0 ? r : ERR_SYSTEM;
	}
	if ((r = chan_open(c->conn, "session", NULL, 0, chanio_chan_ops(), c->session, &ch)) != 0) {
		chanio_abort(c->session);
		return r;
	}
	chanio_set_channel(c->session, ch);
	return 0;
}
