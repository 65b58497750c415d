#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "util/log.h"

int pair_init(struct pair *p, const struct conn_config *ca, const struct conn_config *cb)
{
	const char *lv = getenv("CONN_TEST_LOG");
	int e, level = lv != NULL ? log_level_parse(lv) : LOG_ERROR;

	/* Quiet unless asked: CONN_TEST_LOG=DEBUG3 shows the conn layer's logs. */
	log_init("test", level < 0 ? LOG_DEBUG3 : (enum log_level)level);
	memset(p, 0, sizeof(*p));
	p->ta = fake_tp_new();
	p->tb = fake_tp_new();
	if (p->ta == NULL || p->tb == NULL)
		return ERR_ALLOC;
	if ((e = conn_new(p->ta, ca, &p->a)) != 0 || (e = conn_new(p->tb, cb, &p->b)) != 0)
		return e;
	return 0;
}

void pair_free(struct pair *p)
{
	conn_free(p->a);
	conn_free(p->b);
	fake_tp_free(p->ta);
	fake_tp_free(p->tb);
	memset(p, 0, sizeof(*p));
}

int pair_step(struct pair *p, int from_a)
{
	struct tp *t = from_a ? p->ta : p->tb;
	struct conn *to = from_a ? p->b : p->a;
	uint8_t *m;
	size_t n;
	int e;

	if ((e = fake_tp_pop(t, &m, &n)) != 0)
		return e;
	e = conn_handle(to, m, n);
	free(m);
	if (e != 0 && p->err == 0) {
		p->err = e;
		p->err_side = from_a ? 'b' : 'a';
	}
	return e;
}

int pair_pump(struct pair *p)
{
	int e, moved;

	do {
		moved = 0;
		while ((e = pair_step(p, 1)) != ERR_AGAIN) {
			if (e != 0)
				return e;
			moved = 1;
		}
		while ((e = pair_step(p, 0)) != ERR_AGAIN) {
			if (e != 0)
				return e;
			moved = 1;
		}
	} while (moved);
	return 0;
}

void pair_drop(struct tp *t)
{
	uint8_t *m;
	size_t n;

	while (fake_tp_pop(t, &m, &n) == 0)
		free(m);
}

void rec_init(struct rec *r)
{
	memset(r, 0, sizeof(*r));
	buf_init(&r->data);
	buf_init(&r->ext);
}

void rec_free(struct rec *r)
{
	buf_free(&r->data);
	buf_free(&r->ext);
}

static int rec_data(struct chan *ch, uint32_t ext, const uint8_t *p, size_t n)
{
	struct rec *r = chan_ctx(ch);

	r->ch = ch;
	if (ext == 0) {
		buf_put(&r->data, p, n);
	} else {
		r->last_ext = ext;
		buf_put(&r->ext, p, n);
	}
	if (r->close_on_data)
		chan_close(ch);
	if (r->auto_consume && chan_consumed(ch, n) != 0)
		return -1;
	return r->fail_data ? -1 : 0;
}

static void rec_eof(struct chan *ch)
{
	struct rec *r = chan_ctx(ch);

	r->ch = ch;
	r->eofs++;
	if (r->send_on_eof) {
		r->room_on_eof = chan_send_room(ch);
		r->send_on_eof_result = chan_send_data(ch, 0, (const uint8_t *)"x", 1);
	}
	if (r->close_on_eof)
		chan_close(ch);
}

static int rec_request(struct chan *ch, const char *type, int want_reply, struct rd *args)
{
	struct rec *r = chan_ctx(ch);
	uint32_t v = 0;

	r->ch = ch;
	if (r->nreqs < REC_MAX) {
		snprintf(r->reqs[r->nreqs], sizeof(r->reqs[0]), "%s", type);
		r->req_want[r->nreqs] = want_reply;
		if (rd_u32(args, &v) == 0 && rd_end(args) == 0)
			r->req_arg[r->nreqs] = v;
		r->nreqs++;
	}
	return r->req_answer;
}

static void rec_reply(struct chan *ch, int success)
{
	struct rec *r = chan_ctx(ch);

	r->ch = ch;
	if (r->nreplies < REC_MAX)
		r->replies[r->nreplies++] = success;
}

static void rec_open_result(struct chan *ch, int ok, uint32_t reason, const char *msg)
{
	struct rec *r = chan_ctx(ch);

	r->ch = ch;
	if (ok) {
		r->open_ok++;
	} else {
		r->open_fail++;
		r->reason = reason;
		snprintf(r->msg, sizeof(r->msg), "%s", msg != NULL ? msg : "(null)");
	}
}

static void rec_window(struct chan *ch)
{
	struct rec *r = chan_ctx(ch);

	r->ch = ch;
	r->windows++;
}

static void rec_closed(struct chan *ch)
{
	struct rec *r = chan_ctx(ch);

	r->ch = ch;
	r->closeds++;
	if (r->reopen_on_closed) {
		r->reopen_on_closed = 0;
		if (chan_open(chan_conn(ch), "session", NULL, 0, &rec_ops, r, &r->reopened) != 0)
			r->reopened = NULL;
	}
}

const struct chan_ops rec_ops = {
	.data = rec_data,
	.eof = rec_eof,
	.request = rec_request,
	.reply = rec_reply,
	.open_result = rec_open_result,
	.window = rec_window,
	.closed = rec_closed,
};

void srv_init(struct srv *s, enum srv_mode mode, struct rec *rec)
{
	memset(s, 0, sizeof(*s));
	s->mode = mode;
	s->rec = rec;
	buf_init(&s->args);
}

void srv_free(struct srv *s)
{
	buf_free(&s->args);
}

int srv_open(void *arg, struct chan *ch, const char *type, struct rd *args, uint32_t *reason,
	     const char **msg)
{
	struct srv *s = arg;

	s->opens++;
	s->last = ch;
	snprintf(s->type, sizeof(s->type), "%s", type);
	buf_reset(&s->args);
	buf_put(&s->args, rd_cur(args), rd_left(args));
	switch (s->mode) {
	case SRV_ACCEPT:
		return chan_accept(ch, &rec_ops, s->rec) == 0 ? 0 : -1;
	case SRV_REFUSE:
		*reason = s->reason;
		*msg = s->msg;
		return -1;
	case SRV_DECLINE:
		return -1;
	case SRV_ASYNC:
		s->pending = ch;
		return 0;
	case SRV_REJECT_INSIDE:
		chan_reject(ch, s->reason, s->msg);
		return 0;
	case SRV_ACCEPT_FAIL:
		chan_accept(ch, &rec_ops, s->rec);
		return -1;
	}
	return -1;
}

int inject(struct conn *c, const struct buf *b)
{
	return conn_handle(c, buf_ptr(b), buf_len(b));
}
