/*
 * The channel table: local ids are indices into an array of slots whose free
 * entries form a LIFO list, so allocate, free and lookup are O(1) and no
 * operation walks every channel (except conn_free). The array doubles when
 * full; channels are allocated separately so their addresses stay stable.
 */
#include <stdlib.h>

#include "conn/conn_int.h"
#include "util/err.h"
#include "util/log.h"

#define CONN_SLOTS_INIT 16u
#define CONN_SLOTS_MAX (1u << 24) /* hard cap on local ids; bounds the array size */

static int conn_slots_grow(struct conn *c)
{
	struct conn_slot *s;
	uint32_t n, i;

	if (c->nslots >= CONN_SLOTS_MAX)
		return ERR_TOO_LARGE;
	n = c->nslots == 0 ? CONN_SLOTS_INIT : c->nslots * 2;
	s = realloc(c->slots, (size_t)n * sizeof(*s));
	if (s == NULL)
		return ERR_ALLOC;
	/* Push the new ids so the lowest is handed out first. */
	for (i = n; i > c->nslots; i--) {
		s[i - 1].ch = NULL;
		s[i - 1].next_free = c->free_head;
		c->free_head = i - 1;
	}
	c->slots = s;
	c->nslots = n;
	return 0;
}

int conn_chan_alloc(struct conn *c, struct chan **out)
{
	struct chan *ch;
	uint32_t id;
	int e;

	if (c->free_head == CONN_NO_SLOT && (e = conn_slots_grow(c)) != 0)
		return e;
	if ((ch = calloc(1, sizeof(*ch))) == NULL)
		return ERR_ALLOC;
	id = c->free_head;
	c->free_head = c->slots[id].next_free;
	c->slots[id].ch = ch;
	c->slots[id].next_free = CONN_NO_SLOT;
	c->used++;
	ch->c = c;
	ch->id = id;
	ch->lwin = ch->lwin_max = c->cfg.window;
	ch->lmax = c->cfg.max_packet;
	*out = ch;
	return 0;
}

static void conn_chan_destroy(struct chan *ch)
{
	struct conn *c = ch->c;
	struct conn_slot *s = &c->slots[ch->id];

	s->ch = NULL;
	s->next_free = c->free_head;
	c->free_head = ch->id;
	c->used--;
	free(ch);
}

int conn_chan_get(struct conn *c, struct rd *r, enum chan_state st, struct chan **out)
{
	struct chan *ch;
	uint32_t id;
	int e;

	if ((e = rd_u32(r, &id)) != 0)
		return e;
	if (id >= c->nslots || (ch = c->slots[id].ch) == NULL || ch->dead || ch->close_rcvd) {
		log_debug("conn: message for unknown channel %u", id);
		return ERR_PROTOCOL;
	}
	if (ch->state != st) {
		log_debug("conn: channel %u: message not valid in state %d", id, (int)ch->state);
		return ERR_PROTOCOL;
	}
	*out = ch;
	return 0;
}

void conn_chan_settle(struct chan *ch)
{
	if (ch->hold > 0)
		return;
	if (!ch->dead && ch->close_sent && ch->close_rcvd) {
		/* RFC 4254 5.3: the channel is gone once CLOSE went both ways. */
		ch->dead = 1;
		log_debug2("channel %u: closed", ch->id);
		if (ch->ops != NULL && ch->ops->closed != NULL) {
			ch->hold++;
			ch->ops->closed(ch);
			ch->hold--;
		}
	}
	if (ch->dead && ch->hold == 0)
		conn_chan_destroy(ch);
}

void conn_chan_teardown(struct chan *ch)
{
	if (!ch->dead) {
		ch->dead = 1;
		if (ch->ops != NULL && ch->ops->closed != NULL)
			ch->ops->closed(ch);
	}
	conn_chan_destroy(ch);
}

int conn_send_sb(struct conn *c)
{
	return tp_sendb(c->t, &c->sb);
}

void *chan_ctx(const struct chan *ch)
{
	return ch->ctx;
}

void chan_set_ctx(struct chan *ch, void *ctx)
{
	ch->ctx = ctx;
}

void chan_set_ops(struct chan *ch, const struct chan_ops *ops)
{
	if (ops != NULL)
		ch->ops = ops;
}

struct conn *chan_conn(const struct chan *ch)
{
	return ch->c;
}

uint32_t chan_id(const struct chan *ch)
{
	return ch->id;
}

int chan_eof_received(const struct chan *ch)
{
	return ch->eof_rcvd;
}

int chan_eof_sent(const struct chan *ch)
{
	return ch->eof_sent;
}

int chan_close_sent(const struct chan *ch)
{
	return ch->close_sent || ch->close_wanted;
}
