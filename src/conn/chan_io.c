/*
 * Traffic on open channels, RFC 4254 sections 5.2-5.4: windows, data,
 * EOF, CLOSE and channel requests, in both directions.
 */
#include <stdlib.h>

#include "conn/conn_int.h"
#include "util/err.h"
#include "util/log.h"

/* Message with just a recipient id: EOF, CLOSE, SUCCESS, FAILURE. */
static int chan_send_simple(struct chan *ch, uint8_t msg)
{
	struct buf *b = &ch->c->sb;
	int e;

	buf_reset(b);
	if ((e = buf_put_u8(b, msg)) != 0 || (e = buf_put_u32(b, ch->rid)) != 0)
		return e;
	return conn_send_sb(ch->c);
}

/* Nothing more may go to the peer on this channel (RFC 4254 5.3). */
static int chan_sealed(const struct chan *ch)
{
	return ch->dead || ch->state != CHAN_OPEN || ch->close_sent || ch->close_rcvd ||
	       ch->c->dying;
}

size_t chan_send_room(const struct chan *ch)
{
	if (ch == NULL || chan_sealed(ch) || ch->eof_sent || ch->rmax == 0)
		return 0;
	return ch->rwin;
}

int chan_output_full(struct chan *ch)
{
	struct conn *c;

	if (ch == NULL)
		return 0;
	c = ch->c;
	if (c->cfg.out_high == 0 || buf_len(tp_outbuf(c->t)) <= c->cfg.out_high)
		return 0;
	if (!ch->out_wait) {
		if (c->n_out_waiters == c->cap_out_waiters) {
			uint32_t ncap = c->cap_out_waiters ? 2 * c->cap_out_waiters : 16;
			uint32_t *n = realloc(c->out_waiters, ncap * sizeof(*n));

			if (n == NULL)
				return 0; /* cannot wait: just go on (bounded by the window anyway) */
			c->out_waiters = n;
			c->cap_out_waiters = ncap;
		}
		c->out_waiters[c->n_out_waiters++] = ch->id;
		ch->out_wait = 1;
	}
	return 1;
}

void conn_output_drained(struct conn *c)
{
	uint32_t n = c->n_out_waiters, cap = c->cap_out_waiters;
	uint32_t *ids = c->out_waiters;

	if (n == 0 || c->dying || buf_len(tp_outbuf(c->t)) > c->cfg.out_high / 2)
		return;
	/* Take the list: a woken owner may start waiting again at once. */
	c->out_waiters = NULL;
	c->n_out_waiters = c->cap_out_waiters = 0;
	for (uint32_t i = 0; i < n; i++) {
		struct chan *ch = ids[i] < c->nslots ? c->slots[ids[i]].ch : NULL;

		if (ch == NULL || !ch->out_wait)
			continue;
		ch->out_wait = 0;
		if (!ch->dead && ch->ops != NULL && ch->ops->window != NULL)
			ch->ops->window(ch);
	}
	if (c->out_waiters == NULL) {
		c->out_waiters = ids; /* keep the allocation */
		c->cap_out_waiters = cap;
	} else {
		free(ids);
	}
}

static void put_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* byte 94, uint32 recipient, string data: 9 bytes before the data. */
#define DATA_HDR 9

int chan_send_reserve(struct chan *ch, size_t want, uint8_t **p, size_t *max)
{
	size_t n;
	uint8_t *pl;
	int e;

	if (ch == NULL || p == NULL || max == NULL)
		return ERR_INVALID_ARG;
	if (chan_sealed(ch) || ch->eof_sent)
		return ERR_BAD_STATE;
	n = chan_send_room(ch);
	if (n > ch->rmax)
		n = ch->rmax;
	if (n > want)
		n = want;
	if (n == 0)
		return ERR_WINDOW;
	if ((e = tp_send_reserve(ch->c->t, DATA_HDR + n, &pl)) != 0)
		return e;
	pl[0] = SSH_MSG_CHANNEL_DATA;
	put_u32(pl + 1, ch->rid);
	ch->c->resv = pl;
	*p = pl + DATA_HDR;
	*max = n;
	return 0;
}

int chan_send_commit(struct chan *ch, size_t n)
{
	uint8_t *pl;

	if (ch == NULL || (pl = ch->c->resv) == NULL || n == 0 || n > chan_send_room(ch) ||
	    n > ch->rmax)
		return ERR_INVALID_ARG;
	ch->c->resv = NULL;
	put_u32(pl + 5, (uint32_t)n);
	ch->rwin -= (uint32_t)n;
	return tp_send_commit(ch->c->t, DATA_HDR + n);
}

int chan_send_data(struct chan *ch, uint32_t ext, const uint8_t *p, size_t n)
{
	struct buf *b;
	size_t piece;
	int e;

	if (ch == NULL || (p == NULL && n > 0))
		return ERR_INVALID_ARG;
	if (chan_sealed(ch) || ch->eof_sent)
		return ERR_BAD_STATE;
	if (n > chan_send_room(ch))
		return ERR_WINDOW;
	b = &ch->c->sb;
	while (n > 0) {
		piece = n < ch->rmax ? n : ch->rmax;
		/* byte 94, uint32 recipient, string data; or byte 95, recipient, uint32 code, string */
		buf_reset(b);
		if (ext == 0)
			e = buf_put_u8(b, SSH_MSG_CHANNEL_DATA);
		else
			e = buf_put_u8(b, SSH_MSG_CHANNEL_EXTENDED_DATA);
		if (e != 0 || (e = buf_put_u32(b, ch->rid)) != 0 ||
		    (ext != 0 && (e = buf_put_u32(b, ext)) != 0) ||
		    (e = buf_put_string(b, p, piece)) != 0 || (e = conn_send_sb(ch->c)) != 0)
			return e;
		ch->rwin -= (uint32_t)piece;
		p += piece;
		n -= piece;
	}
	return 0;
}

int chan_send_eof(struct chan *ch)
{
	int e;

	if (ch == NULL)
		return ERR_INVALID_ARG;
	if (ch->dead || ch->state != CHAN_OPEN || ch->c->dying)
		return ERR_BAD_STATE;
	if (ch->eof_sent || ch->close_sent || ch->close_rcvd)
		return 0;
	if ((e = chan_send_simple(ch, SSH_MSG_CHANNEL_EOF)) != 0)
		return e;
	ch->eof_sent = 1;
	log_debug2("channel %u: EOF sent", ch->id);
	return 0;
}

int chan_close(struct chan *ch)
{
	int e;

	if (ch == NULL)
		return ERR_INVALID_ARG;
	if (ch->dead || ch->c->dying || ch->close_sent)
		return 0;
	if (ch->state == CHAN_PENDING)
		return ERR_BAD_STATE; /* not opened yet: chan_reject() */
	if (ch->state == CHAN_OPENING) {
		/* No peer id yet: close as soon as the open is answered. */
		ch->close_wanted = 1;
		return 0;
	}
	if ((e = chan_send_simple(ch, SSH_MSG_CHANNEL_CLOSE)) != 0)
		return e;
	ch->close_sent = 1;
	log_debug2("channel %u: CLOSE sent", ch->id);
	conn_chan_settle(ch);
	return 0;
}

int chan_send_request(struct chan *ch, const char *type, int want_reply, const uint8_t *extra,
		      size_t extra_len)
{
	struct buf *b;
	int e;

	if (ch == NULL || type == NULL || (extra == NULL && extra_len > 0))
		return ERR_INVALID_ARG;
	if (chan_sealed(ch))
		return ERR_BAD_STATE;
	if (want_reply && ch->want_replies == UINT32_MAX)
		return ERR_TOO_LARGE;
	/* byte 98, uint32 recipient, string type, boolean want reply, type data */
	b = &ch->c->sb;
	buf_reset(b);
	if ((e = buf_put_u8(b, SSH_MSG_CHANNEL_REQUEST)) != 0 ||
	    (e = buf_put_u32(b, ch->rid)) != 0 || (e = buf_put_cstring(b, type)) != 0 ||
	    (e = buf_put_bool(b, want_reply)) != 0 || (e = buf_put(b, extra, extra_len)) != 0 ||
	    (e = conn_send_sb(ch->c)) != 0)
		return e;
	if (want_reply)
		ch->want_replies++;
	return 0;
}

/*
 * Window autotuning, called as an adjustment is about to go out. Over each
 * interval of at least one measured round trip, if the owner passed on at
 * least half a window per round trip, the window (not the consumer or the
 * sender) limits the channel: a window-limited sender keeps about
 * 3/4 of it in flight, because we re-advertise every quarter window. Double
 * it, up to the cap, toward the bandwidth-delay product. A slow consumer or
 * a slow sender never grows it, so what we buffer stays bounded by a window
 * the traffic actually needs.
 */
static void autotune(struct chan *ch)
{
	struct conn *c = ch->c;
	uint64_t now, elapsed, per_rtt;

	if (c->cfg.clock_us == NULL)
		return;
	now = c->cfg.clock_us(c->cfg.clock_arg);
	conn_maybe_probe_rtt(c, now);
	if (ch->meas_us == 0 || now < ch->meas_us) {
		ch->meas_us = now;
		ch->meas_bytes = 0;
		return;
	}
	elapsed = now - ch->meas_us;
	if (c->rtt_us == 0 || elapsed < c->rtt_us)
		return;
	per_rtt = ch->meas_bytes * c->rtt_us / elapsed;
	ch->meas_us = now;
	ch->meas_bytes = 0;
	if (per_rtt * 2 >= ch->lwin_max && ch->lwin_max < c->cfg.max_window) {
		uint32_t grow = c->cfg.max_window - ch->lwin_max;

		if (grow > ch->lwin_max)
			grow = ch->lwin_max;
		ch->lwin_max += grow;
		ch->consumed += grow; /* advertised with this adjustment */
		log_debug2("channel %u: receive window grows to %u (rtt %llu us)", ch->id,
			   ch->lwin_max, (unsigned long long)c->rtt_us);
	}
}

int chan_consumed(struct chan *ch, size_t n)
{
	struct buf *b;
	uint32_t unconsumed;
	int e;

	if (ch == NULL)
		return ERR_INVALID_ARG;
	if (ch->dead)
		return 0;
	/* Invariant: lwin + consumed + (delivered, not yet consumed) == lwin_max. */
	unconsumed = ch->lwin_max - ch->lwin - ch->consumed;
	if (n > unconsumed)
		return ERR_INVALID_ARG;
	ch->consumed += (uint32_t)n;
	ch->meas_bytes += n;
	/*
	 * Re-open every quarter window: the peer keeps up to 3/4 of the window in
	 * flight (half-window adjustments would cap it at half a window per RTT).
	 */
	if (ch->consumed == 0 || ch->consumed < ch->lwin_max / 4 || chan_sealed(ch) ||
	    ch->eof_rcvd)
		return 0;
	autotune(ch);
	/* byte 93, uint32 recipient, uint32 bytes to add */
	b = &ch->c->sb;
	buf_reset(b);
	if ((e = buf_put_u8(b, SSH_MSG_CHANNEL_WINDOW_ADJUST)) != 0 ||
	    (e = buf_put_u32(b, ch->rid)) != 0 || (e = buf_put_u32(b, ch->consumed)) != 0 ||
	    (e = conn_send_sb(ch->c)) != 0)
		return e;
	log_debug3("channel %u: window adjust +%u", ch->id, ch->consumed);
	ch->lwin += ch->consumed;
	ch->consumed = 0;
	return 0;
}

int conn_recv_window(struct conn *c, struct rd *r)
{
	struct chan *ch;
	uint32_t add;
	int e;

	/* uint32 recipient, uint32 bytes to add */
	if ((e = conn_chan_get(c, r, CHAN_OPEN, &ch)) != 0 || (e = rd_u32(r, &add)) != 0 ||
	    (e = rd_end(r)) != 0)
		return e;
	/* RFC 4254 5.2: the window may not exceed 2^32 - 1. */
	if (add > UINT32_MAX - ch->rwin) {
		log_debug("channel %u: window adjust %u overflows window %u", ch->id, add, ch->rwin);
		return ERR_WINDOW;
	}
	ch->rwin += add;
	log_debug3("channel %u: peer window +%u = %u", ch->id, add, ch->rwin);
	if (add > 0 && ch->ops->window != NULL && chan_send_room(ch) > 0) {
		conn_chan_hold(ch);
		ch->ops->window(ch);
		conn_chan_release(ch);
	}
	return 0;
}

int conn_recv_data(struct conn *c, struct rd *r, int extended)
{
	const uint8_t *p;
	struct chan *ch;
	uint32_t code = 0;
	size_t n;
	int e = 0;

	/* uint32 recipient, [uint32 data type code,] string data */
	if ((e = conn_chan_get(c, r, CHAN_OPEN, &ch)) != 0 ||
	    (extended && (e = rd_u32(r, &code)) != 0) || (e = rd_string(r, &p, &n)) != 0 ||
	    (e = rd_end(r)) != 0)
		return e;
	if (ch->eof_rcvd) {
		log_debug("channel %u: %zu bytes after EOF dropped", ch->id, n);
		return 0;
	}
	if (n > ch->lwin || n > ch->lmax) {
		log_debug("channel %u: %zu bytes exceed window %u or max packet %u", ch->id, n,
			  ch->lwin, ch->lmax);
		return ERR_WINDOW;
	}
	ch->lwin -= (uint32_t)n;
	if (ch->close_sent || n == 0) /* we are closing: the owner wants no more */
		return 0;
	if (ch->ops->data == NULL)
		return chan_consumed(ch, n);
	conn_chan_hold(ch);
	if (ch->ops->data(ch, code, p, n) != 0 && !ch->dead) {
		/* A failing owner takes down its channel, not the connection. */
		log_debug("channel %u: owner failed on data, closing", ch->id);
		e = chan_close(ch);
	}
	conn_chan_release(ch);
	return e;
}

int conn_recv_eof(struct conn *c, struct rd *r)
{
	struct chan *ch;
	int e;

	if ((e = conn_chan_get(c, r, CHAN_OPEN, &ch)) != 0 || (e = rd_end(r)) != 0)
		return e;
	if (ch->eof_rcvd) {
		log_debug("channel %u: duplicate EOF ignored", ch->id);
		return 0;
	}
	ch->eof_rcvd = 1;
	log_debug2("channel %u: EOF received", ch->id);
	if (ch->ops->eof != NULL) {
		conn_chan_hold(ch);
		ch->ops->eof(ch);
		conn_chan_release(ch);
	}
	return 0;
}

int conn_recv_close(struct conn *c, struct rd *r)
{
	struct chan *ch;
	int e;

	if ((e = conn_chan_get(c, r, CHAN_OPEN, &ch)) != 0 || (e = rd_end(r)) != 0)
		return e;
	ch->close_rcvd = 1;
	log_debug2("channel %u: CLOSE received", ch->id);
	conn_chan_hold(ch);
	if (!ch->eof_rcvd) {
		ch->eof_rcvd = 1;
		if (ch->ops->eof != NULL)
			ch->ops->eof(ch);
	}
	/* RFC 4254 5.3: answer with our CLOSE unless already sent. */
	if (!ch->dead)
		e = chan_close(ch);
	conn_chan_release(ch);
	return e;
}

int conn_recv_request(struct conn *c, struct rd *r)
{
	struct chan *ch;
	char *type = NULL;
	int want, ok = 0, e;

	/* uint32 recipient, string type, boolean want reply, type data */
	if ((e = conn_chan_get(c, r, CHAN_OPEN, &ch)) != 0 || (e = rd_cstring(r, &type)) != 0 ||
	    (e = rd_bool(r, &want)) != 0)
		goto out;
	log_debug2("channel %u: request %s%s", ch->id, type, want ? " (want reply)" : "");
	if (ch->close_sent) /* closing: neither the owner nor the peer cares any more */
		goto out;
	conn_chan_hold(ch);
	if (ch->ops->request != NULL)
		ok = ch->ops->request(ch, type, want, r) == 0;
	if (want && !chan_sealed(ch))
		e = chan_send_simple(ch, ok ? SSH_MSG_CHANNEL_SUCCESS : SSH_MSG_CHANNEL_FAILURE);
	conn_chan_release(ch);
out:
	free(type);
	return e;
}

int conn_recv_chan_reply(struct conn *c, struct rd *r, int success)
{
	struct chan *ch;
	int e;

	if ((e = conn_chan_get(c, r, CHAN_OPEN, &ch)) != 0 || (e = rd_end(r)) != 0)
		return e;
	if (ch->want_replies == 0) {
		log_debug("channel %u: reply without a request", ch->id);
		return ERR_PROTOCOL;
	}
	ch->want_replies--;
	if (ch->ops->reply != NULL) {
		conn_chan_hold(ch);
		ch->ops->reply(ch, success);
		conn_chan_release(ch);
	}
	return 0;
}
