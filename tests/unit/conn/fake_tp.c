#include "fake_tp.h"

#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "wire/buf.h"

struct fake_msg {
	uint8_t *p;
	size_t n;
};

struct tp {
	struct fake_msg *q;
	size_t head, len, cap;
	size_t sent;
	int fail;
	struct buf out;
};

struct tp *fake_tp_new(void)
{
	struct tp *t = calloc(1, sizeof(*t));

	if (t != NULL)
		buf_init(&t->out);
	return t;
}

void fake_tp_free(struct tp *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = t->head; i < t->head + t->len; i++)
		free(t->q[i].p);
	free(t->q);
	buf_free(&t->out);
	free(t);
}

size_t fake_tp_pending(const struct tp *t)
{
	return t->len;
}

size_t fake_tp_sent(const struct tp *t)
{
	return t->sent;
}

void fake_tp_set_fail(struct tp *t, int err)
{
	t->fail = err;
}

int fake_tp_pop(struct tp *t, uint8_t **p, size_t *n)
{
	if (t->len == 0)
		return ERR_AGAIN;
	*p = t->q[t->head].p;
	*n = t->q[t->head].n;
	t->head++;
	t->len--;
	if (t->len == 0)
		t->head = 0;
	return 0;
}

int tp_send(struct tp *t, const uint8_t *payload, size_t len)
{
	struct fake_msg *q;
	uint8_t *copy;

	if (t->fail != 0)
		return t->fail;
	if (len == 0 || len > TP_MAX_PACKET)
		return ERR_TOO_LARGE;
	if (t->head + t->len == t->cap) {
		if (t->head > 0) {
			memmove(t->q, t->q + t->head, t->len * sizeof(*q));
			t->head = 0;
		} else {
			size_t n = t->cap == 0 ? 64 : t->cap * 2;
			if ((q = realloc(t->q, n * sizeof(*q))) == NULL)
				return ERR_ALLOC;
			t->q = q;
			t->cap = n;
		}
	}
	if ((copy = malloc(len)) == NULL)
		return ERR_ALLOC;
	memcpy(copy, payload, len);
	t->q[t->head + t->len].p = copy;
	t->q[t->head + t->len].n = len;
	t->len++;
	t->sent++;
	return 0;
}

/* The fake has no packet buffer: channels take the copying path. */
int tp_send_reserve(struct tp *t, size_t max, uint8_t **payload)
{
	(void)t;
	(void)max;
	(void)payload;
	return ERR_AGAIN;
}

int tp_send_commit(struct tp *t, size_t len)
{
	(void)t;
	(void)len;
	return ERR_BAD_STATE;
}

int tp_sendb(struct tp *t, const struct buf *payload)
{
	return tp_send(t, buf_ptr(payload), buf_len(payload));
}

struct buf *tp_outbuf(struct tp *t)
{
	return &t->out;
}
