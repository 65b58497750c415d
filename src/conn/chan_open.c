/*
 * Opening channels, RFC 4254 section 5.1: CHANNEL_OPEN from either side and
 * its answer, OPEN_CONFIRMATION or OPEN_FAILURE. A peer's open is handed to
 * the connection's open handler, which may answer at once or later
 * (chan_accept / chan_reject), e.g. after an asynchronous connect.
 */
#include <stdio.h>
#include <stdlib.h>

#include "conn/conn_int.h"
#include "util/err.h"
#include "util/log.h"

static uint32_t conn_clamp_max_packet(uint32_t v)
{
	/* A peer may announce anything; never send pieces the transport cannot carry. */
	return v > CONN_MAX_PACKET_CAP ? CONN_MAX_PACKET_CAP : v;
}

static int conn_send_open_failure(struct conn *c, uint32_t rid, uint32_t reason, const char *msg)
{
	struct buf *b = &c->sb;
	int e;

	/* byte 92, uint32 recipient, uint32 reason, string description, string language */
	buf_reset(b);
	if ((e = buf_put_u8(b, SSH_MSG_CHANNEL_OPEN_FAILURE)) != 0 ||
	    (e = buf_put_u32(b, rid)) != 0 || (e = buf_put_u32(b, reason)) != 0 ||
	    (e = buf_put_cstring(b, msg != NULL ? msg : "")) != 0 ||
	    (e = buf_put_cstring(b, "")) != 0)
		return e;
	return conn_send_sb(c);
}

int chan_open(struct conn *c, const char *type, const uint8_t *extra, size_t extra_len,
	      const struct chan_ops *ops, void *ctx, struct chan **out)
{
	struct buf *b;
	struct chan *ch;
	int e;

	if (c == NULL || type == NULL || ops == NULL || (extra == NULL && extra_len > 0))
		return ERR_INVALID_ARG;
	if (c->dying)
		return ERR_BAD_STATE;
	if ((e = conn_chan_alloc(c, &ch)) != 0)
		return e;
	ch->state = CHAN_OPENING;
	ch->ops = ops;
	ch->ctx = ctx;
	snprintf(ch->type, sizeof(ch->type), "%s", type);
	/* byte 90, string type, uint32 sender, uint32 window, uint32 max packet, type data */
	b = &c->sb;
	buf_reset(b);
	if ((e = buf_put_u8(b, SSH_MSG_CHANNEL_OPEN)) != 0 || (e = buf_put_cstring(b, type)) != 0 ||
	    (e = buf_put_u32(b, ch->id)) != 0 || (e = buf_put_u32(b, ch->lwin)) != 0 ||
	    (e = buf_put_u32(b, ch->lmax)) != 0 || (e = buf_put(b, extra, extra_len)) != 0 ||
	    (e = conn_send_sb(c)) != 0) {
		ch->dead = 1;
		conn_chan_settle(ch);
		return e;
	}
	log_debug2("channel %u: open %s", ch->id, type);
	if (out != NULL)
		*out = ch;
	return 0;
}

int chan_accept(struct chan *ch, const struct chan_ops *ops, void *ctx)
{
	struct conn *c;
	struct buf *b;
	int e;

	if (ch == NULL || ops == NULL)
		return ERR_INVALID_ARG;
	c = ch->c;
	if (ch->dead || ch->state != CHAN_PENDING || c->dying)
		return ERR_BAD_STATE;
	/* byte 91, uint32 recipient, uint32 sender, uint32 window, uint32 max packet */
	b = &c->sb;
	buf_reset(b);
	if ((e = buf_put_u8(b, SSH_MSG_CHANNEL_OPEN_CONFIRMATION)) != 0 ||
	    (e = buf_put_u32(b, ch->rid)) != 0 || (e = buf_put_u32(b, ch->id)) != 0 ||
	    (e = buf_put_u32(b, ch->lwin)) != 0 || (e = buf_put_u32(b, ch->lmax)) != 0 ||
	    (e = conn_send_sb(c)) != 0)
		return e;
	ch->state = CHAN_OPEN;
	ch->ops = ops;
	ch->ctx = ctx;
	log_debug2("channel %u: accepted (peer %u)", ch->id, ch->rid);
	return 0;
}

int chan_reject(struct chan *ch, uint32_t reason, const char *msg)
{
	int e;

	if (ch == NULL)
		return ERR_INVALID_ARG;
	if (ch->dead || ch->state != CHAN_PENDING || ch->c->dying)
		return ERR_BAD_STATE;
	e = conn_send_open_failure(ch->c, ch->rid, reason, msg);
	log_debug2("channel %u: refused (reason %u: %s)", ch->id, reason, msg != NULL ? msg : "");
	/* The peer's id is released by the failure; ours goes back to the free list. */
	ch->dead = 1;
	conn_chan_settle(ch);
	return e;
}

int conn_recv_open(struct conn *c, struct rd *r)
{
	uint32_t rid, win, maxp, reason = SSH_OPEN_UNKNOWN_CHANNEL_TYPE;
	const char *msg = "unknown channel type";
	struct chan *ch;
	char *type = NULL;
	int e;

	/* string type, uint32 sender, uint32 window, uint32 max packet, type data */
	if ((e = rd_cstring(r, &type)) != 0 || (e = rd_u32(r, &rid)) != 0 ||
	    (e = rd_u32(r, &win)) != 0 || (e = rd_u32(r, &maxp)) != 0)
		goto out;
	log_debug2("conn: peer opens %s (peer id %u, window %u, max packet %u)", type, rid, win,
		   maxp);
	if (c->used >= c->cfg.max_channels) {
		e = conn_send_open_failure(c, rid, SSH_OPEN_RESOURCE_SHORTAGE, "too many channels");
		goto out;
	}
	if (c->cfg.open == NULL) {
		e = conn_send_open_failure(c, rid, reason, msg);
		goto out;
	}
	if ((e = conn_chan_alloc(c, &ch)) != 0) {
		if (e != ERR_TOO_LARGE)
			goto out;
		e = conn_send_open_failure(c, rid, SSH_OPEN_RESOURCE_SHORTAGE, "too many channels");
		goto out;
	}
	ch->state = CHAN_PENDING;
	snprintf(ch->type, sizeof(ch->type), "%s", type);
	ch->rid = rid;
	ch->rwin = win;
	ch->rmax = conn_clamp_max_packet(maxp);
	conn_chan_hold(ch);
	if (c->cfg.open(c->cfg.arg, ch, type, r, &reason, &msg) != 0 && !ch->dead) {
		if (ch->state == CHAN_PENDING)
			e = chan_reject(ch, reason, msg);
		else /* accepted and then refused: take it down the normal way */
			e = chan_close(ch);
	}
	conn_chan_release(ch);
out:
	free(type);
	return e;
}

int conn_recv_open_confirm(struct conn *c, struct rd *r)
{
	uint32_t rid, win, maxp;
	struct chan *ch;
	int e;

	/* uint32 recipient, uint32 sender, uint32 window, uint32 max packet, type data (unused) */
	if ((e = conn_chan_get(c, r, CHAN_OPENING, &ch)) != 0 || (e = rd_u32(r, &rid)) != 0 ||
	    (e = rd_u32(r, &win)) != 0 || (e = rd_u32(r, &maxp)) != 0)
		return e;
	ch->state = CHAN_OPEN;
	ch->rid = rid;
	ch->rwin = win;
	ch->rmax = conn_clamp_max_packet(maxp);
	log_debug2("channel %u: confirmed (peer %u, window %u, max packet %u)", ch->id, rid, win,
		   maxp);
	if (maxp == 0)
		log_debug("channel %u: peer max packet is 0, cannot send data", ch->id);
	if (ch->close_wanted) /* the owner gave up while we waited */
		return chan_close(ch);
	if (ch->ops->open_result != NULL) {
		conn_chan_hold(ch);
		ch->ops->open_result(ch, 1, 0, NULL);
		conn_chan_release(ch);
	}
	return 0;
}

int conn_recv_open_failure(struct conn *c, struct rd *r)
{
	const uint8_t *lang;
	uint32_t reason;
	struct chan *ch;
	char *desc = NULL;
	size_t lang_len;
	int e;

	/* uint32 recipient, uint32 reason, string description, string language (omitted by some) */
	if ((e = conn_chan_get(c, r, CHAN_OPENING, &ch)) != 0 || (e = rd_u32(r, &reason)) != 0 ||
	    (e = rd_cstring(r, &desc)) != 0)
		goto out;
	if (rd_left(r) > 0 && (e = rd_string(r, &lang, &lang_len)) != 0)
		goto out;
	if ((e = rd_end(r)) != 0)
		goto out;
	log_debug2("channel %u: open failed (reason %u: %s)", ch->id, reason, desc);
	ch->dead = 1;
	conn_chan_hold(ch);
	if (ch->close_wanted) {
		if (ch->ops->closed != NULL)
			ch->ops->closed(ch);
	} else if (ch->ops->open_result != NULL) {
		ch->ops->open_result(ch, 0, reason, desc);
	}
	conn_chan_release(ch);
out:
	free(desc);
	return e;
}
