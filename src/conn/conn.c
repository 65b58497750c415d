/*
 * The connection protocol object (RFC 4254): message dispatch and global
 * requests (section 4). Channels are in chan_table.c, chan_open.c and
 * chan_io.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn/conn_int.h"
#include "util/err.h"
#include "util/log.h"

#define CONN_GQ_INIT 8u

int conn_new(struct tp *t, const struct conn_config *cfg, struct conn **out)
{
	struct conn *c;

	if (t == NULL || out == NULL)
		return ERR_INVALID_ARG;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return ERR_ALLOC;
	c->t = t;
	if (cfg != NULL)
		c->cfg = *cfg;
	if (c->cfg.window == 0)
		c->cfg.window = CONN_DEFAULT_WINDOW;
	if (c->cfg.max_window == 0)
		c->cfg.max_window = CONN_DEFAULT_MAX_WINDOW;
	if (c->cfg.max_window < c->cfg.window)
		c->cfg.max_window = c->cfg.window;
	if (c->cfg.max_packet == 0)
		c->cfg.max_packet = CONN_DEFAULT_MAX_PACKET;
	if (c->cfg.max_packet > CONN_MAX_PACKET_CAP)
		c->cfg.max_packet = CONN_MAX_PACKET_CAP;
	if (c->cfg.max_channels == 0)
		c->cfg.max_channels = CONN_DEFAULT_MAX_CHANNELS;
	c->free_head = CONN_NO_SLOT;
	buf_init(&c->sb);
	*out = c;
	return 0;
}

void conn_free(struct conn *c)
{
	uint32_t i;

	if (c == NULL)
		return;
	/* Owners may still call chan_* from their closed ops; dying turns those into no-ops. */
	c->dying = 1;
	for (i = 0; i < c->nslots; i++) {
		if (c->slots[i].ch != NULL)
			conn_chan_teardown(c->slots[i].ch);
	}
	free(c->slots);
	free(c->out_waiters);
	free(c->gq);
	buf_free(&c->sb);
	free(c);
}

uint32_t conn_channel_count(const struct conn *c)
{
	return c->used;
}

static const char *chan_state_name(const struct chan *ch)
{
	if (ch->close_sent || ch->close_rcvd)
		return "closing";
	if (ch->state == CHAN_OPENING)
		return "opening";
	if (ch->state == CHAN_PENDING)
		return "pending";
	if (ch->eof_sent || ch->eof_rcvd)
		return ch->eof_sent && ch->eof_rcvd ? "eof both ways" : ch->eof_sent ? "eof sent"
										  : "eof received";
	return "open";
}

void conn_list_channels(struct conn *c,
			void (*fn)(void *arg, uint32_t id, const char *type, const char *state),
			void *arg)
{
	for (uint32_t i = 0; i < c->nslots; i++) {
		const struct chan *ch = c->slots[i].ch;

		if (ch != NULL && !ch->dead)
			fn(arg, ch->id, ch->type, chan_state_name(ch));
	}
}

struct tp *conn_transport(struct conn *c)
{
	return c->t;
}

static int conn_gq_push(struct conn *c, conn_global_reply_fn cb, void *arg)
{
	struct conn_greply *q;
	size_t n, i;

	if (c->gq_len == c->gq_cap) {
		if (c->gq_cap > SIZE_MAX / 2 / sizeof(*q))
			return ERR_TOO_LARGE;
		n = c->gq_cap == 0 ? CONN_GQ_INIT : c->gq_cap * 2;
		if ((q = malloc(n * sizeof(*q))) == NULL)
			return ERR_ALLOC;
		for (i = 0; i < c->gq_len; i++)
			q[i] = c->gq[(c->gq_head + i) % c->gq_cap];
		free(c->gq);
		c->gq = q;
		c->gq_cap = n;
		c->gq_head = 0;
	}
	c->gq[(c->gq_head + c->gq_len) % c->gq_cap] = (struct conn_greply){ cb, arg };
	c->gq_len++;
	return 0;
}

int conn_send_global(struct conn *c, const char *name, int want_reply, const uint8_t *extra,
		     size_t extra_len, conn_global_reply_fn cb, void *arg)
{
	struct buf *b;
	int e;

	if (c == NULL || name == NULL || (extra == NULL && extra_len > 0))
		return ERR_INVALID_ARG;
	if (c->dying)
		return ERR_BAD_STATE;
	/* Reserve the reply slot first so a sent request always has one. */
	if (want_reply && (e = conn_gq_push(c, cb, arg)) != 0)
		return e;
	/* byte 80, string name, boolean want reply, request data */
	b = &c->sb;
	buf_reset(b);
	if ((e = buf_put_u8(b, SSH_MSG_GLOBAL_REQUEST)) != 0 || (e = buf_put_cstring(b, name)) != 0 ||
	    (e = buf_put_bool(b, want_reply)) != 0 || (e = buf_put(b, extra, extra_len)) != 0 ||
	    (e = conn_send_sb(c)) != 0) {
		if (want_reply)
			c->gq_len--; /* undo the push: it is the newest entry */
		return e;
	}
	log_debug2("conn: global request %s sent%s", name, want_reply ? " (want reply)" : "");
	return 0;
}

static int conn_recv_global(struct conn *c, struct rd *r)
{
	struct buf extra;
	char *name = NULL;
	int want, ok = 0, e;

	buf_init(&extra);
	/* string name, boolean want reply, request data */
	if ((e = rd_cstring(r, &name)) != 0 || (e = rd_bool(r, &want)) != 0)
		goto out;
	/* OpenSSH's keepalive probe expects a failure reply from anyone. */
	if (strcmp(name, "keepalive@openssh.com") != 0 && c->cfg.global != NULL)
		ok = c->cfg.global(c->cfg.arg, c, name, want, r, &extra) == 0;
	log_debug2("conn: global request %s: %s", name, ok ? "success" : "failure");
	if (!want)
		goto out;
	/* Built only after the handler ran: it may have used the scratch buffer. */
	buf_reset(&c->sb);
	if (ok)
		e = buf_put_u8(&c->sb, SSH_MSG_REQUEST_SUCCESS);
	else
		e = buf_put_u8(&c->sb, SSH_MSG_REQUEST_FAILURE);
	if (e == 0 && ok)
		e = buf_put(&c->sb, buf_ptr(&extra), buf_len(&extra));
	if (e == 0)
		e = conn_send_sb(c);
out:
	free(name);
	buf_free(&extra);
	return e;
}

static int conn_recv_global_reply(struct conn *c, struct rd *r, int success)
{
	struct conn_greply g;

	if (c->gq_len == 0) {
		log_debug("conn: global request reply without a request");
		return ERR_PROTOCOL;
	}
	/* Pop before calling: the callback may send another request. */
	g = c->gq[c->gq_head];
	c->gq_head = (c->gq_head + 1) % c->gq_cap;
	c->gq_len--;
	if (g.cb != NULL)
		g.cb(g.arg, success, r);
	return 0;
}

int conn_handle(struct conn *c, const uint8_t *payload, size_t len)
{
	struct rd r;
	uint8_t type;
	int e;

	if (c == NULL || (payload == NULL && len > 0))
		return ERR_INVALID_ARG;
	if (c->dying)
		return ERR_BAD_STATE;
	rd_init(&r, payload, len);
	if ((e = rd_u8(&r, &type)) != 0)
		return e;
	switch (type) {
	case SSH_MSG_GLOBAL_REQUEST:
		e = conn_recv_global(c, &r);
		break;
	case SSH_MSG_REQUEST_SUCCESS:
	case SSH_MSG_REQUEST_FAILURE:
		e = conn_recv_global_reply(c, &r, type == SSH_MSG_REQUEST_SUCCESS);
		break;
	case SSH_MSG_CHANNEL_OPEN:
		e = conn_recv_open(c, &r);
		break;
	case SSH_MSG_CHANNEL_OPEN_CONFIRMATION:
		e = conn_recv_open_confirm(c, &r);
		break;
	case SSH_MSG_CHANNEL_OPEN_FAILURE:
		e = conn_recv_open_failure(c, &r);
		break;
	case SSH_MSG_CHANNEL_WINDOW_ADJUST:
		e = conn_recv_window(c, &r);
		break;
	case SSH_MSG_CHANNEL_DATA:
	case SSH_MSG_CHANNEL_EXTENDED_DATA:
		e = conn_recv_data(c, &r, type == SSH_MSG_CHANNEL_EXTENDED_DATA);
		break;
	case SSH_MSG_CHANNEL_EOF:
		e = conn_recv_eof(c, &r);
		break;
	case SSH_MSG_CHANNEL_CLOSE:
		e = conn_recv_close(c, &r);
		break;
	case SSH_MSG_CHANNEL_REQUEST:
		e = conn_recv_request(c, &r);
		break;
	case SSH_MSG_CHANNEL_SUCCESS:
	case SSH_MSG_CHANNEL_FAILURE:
		e = conn_recv_chan_reply(c, &r, type == SSH_MSG_CHANNEL_SUCCESS);
		break;
	default:
		/* Unassigned in 80..127 (or not ours): the caller answers UNIMPLEMENTED. */
		e = ERR_UNSUPPORTED;
		break;
	}
	if (e != 0)
		log_debug("conn: message %u: %s", type, err_str(e));
	return e;
}

uint64_t conn_rtt_us(const struct conn *c)
{
	return c->rtt_us;
}

static void rtt_reply(void *arg, int success, struct rd *args)
{
	struct conn *c = arg;
	uint64_t now, sample;

	(void)success; /* any answer will do: servers answer "failure" */
	(void)args;
	if (c->probe_us == 0 || c->cfg.clock_us == NULL)
		return;
	now = c->cfg.clock_us(c->cfg.clock_arg);
	sample = now > c->probe_us ? now - c->probe_us : 1;
	c->probe_us = 0;
	/* RFC 6298-style smoothing: srtt = 7/8 srtt + 1/8 sample. */
	c->rtt_us = c->rtt_us == 0 ? sample : (7 * c->rtt_us + sample) / 8;
	log_debug2("round trip %llu us (smoothed %llu us)", (unsigned long long)sample,
		   (unsigned long long)c->rtt_us);
}

void conn_maybe_probe_rtt(struct conn *c, uint64_t now_us)
{
	/* keepalive@openssh.com with want_reply: every peer answers at once. */
	if (c->probe_us != 0 || (c->last_probe_us != 0 && now_us - c->last_probe_us < 2000000))
		return;
	if (conn_send_global(c, "keepalive@openssh.com", 1, NULL, 0, rtt_reply, c) == 0) {
		c->probe_us = now_us;
		c->last_probe_us = now_us;
	}
}
