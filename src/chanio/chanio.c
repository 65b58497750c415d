#include "chanio/chanio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net/stream.h"
#include "util/err.h"
#include "util/log.h"

#define CHANIO_MAX_SOURCES 2
#define CHANIO_READ_MAX (128 * 1024)

struct chanio;

struct cio_source {
	struct chanio *c;
	struct net_stream *st;
	uint32_t ext;
	int eof;
};

struct cio_sink {
	struct chanio *c;
	struct net_stream *st; /* NULL: data is discarded */
	struct buf pending;
	int shared;            /* the stream belongs to a source too (a socket) */
	int dead;
};

struct chanio {
	struct event_base *base;
	struct chan *ch;
	const struct chanio_hooks *hooks;
	void *arg;
	void (*flush)(void *);
	void *flush_arg;
	struct cio_source src[CHANIO_MAX_SOURCES];
	int nsrc;
	struct cio_sink sink[2]; /* by extended type: 0 data, 1 stderr */
	int started;
	int eof_sent;
	int peer_eof;
	int drained_told;
	uint64_t bytes_in, bytes_out;
};

static void release(struct chanio *c);

static void check_drained(struct chanio *c)
{
	if (c->drained_told || !c->eof_sent || !c->peer_eof)
		return;
	for (int i = 0; i < 2; i++)
		if (c->sink[i].st != NULL && net_stream_write_pending(c->sink[i].st))
			return;
	c->drained_told = 1;
	if (c->hooks->drained != NULL)
		c->hooks->drained(c->arg);
}

static void maybe_send_eof(struct chanio *c)
{
	for (int i = 0; i < c->nsrc; i++)
		if (!c->src[i].eof)
			return;
	if (c->eof_sent)
		return;
	if (c->ch != NULL && !chan_close_sent(c->ch)) {
		chan_send_eof(c->ch);
		c->flush(c->flush_arg);
	}
	c->eof_sent = 1;
	if (c->hooks->sources_done != NULL)
		c->hooks->sources_done(c->arg);
	check_drained(c);
}

static void source_eof(struct cio_source *s)
{
	s->eof = 1;
	net_stream_want_read(s->st, 0);
	/* A socket's read side is half-closed; a pipe is simply closed. */
	net_stream_close_read(s->st);
	maybe_send_eof(s->c);
}

/*
 * Plain data goes straight from the descriptor into the packet being built
 * (no intermediate copies), a packet at a time, up to CHANIO_READ_MAX per
 * wake-up. Returns 0 (sent what there was), 1 when the copying path must be
 * used (nothing read yet), or the read's error (ERR_EOF, ...). *sent tells
 * whether anything was queued.
 */
static int read_in_place(struct chanio *c, struct cio_source *s, int *sent)
{
	size_t done = 0;

	*sent = 0;
	while (done < CHANIO_READ_MAX) {
		uint8_t *p;
		size_t max, n = 0;
		int r = chan_send_reserve(c->ch, CHANIO_READ_MAX - done, &p, &max);

		if (r == ERR_AGAIN && done == 0)
			return 1;
		if (r != 0)
			return 0; /* window or packet room used up: the rest next time */
		r = net_stream_read(s->st, p, max, &n);
		if (r == ERR_AGAIN)
			return 0;
		if (r != 0)
			return r;
		if ((r = chan_send_commit(c->ch, n)) != 0)
			return r;
		*sent = 1;
		c->bytes_out += n;
		done += n;
		if (n < max)
			break; /* drained for now */
	}
	return 0;
}

static void on_source_readable(void *arg)
{
	struct cio_source *s = arg;
	struct chanio *c = s->c;
	uint8_t chunk[CHANIO_READ_MAX];
	size_t room, n = 0;
	int r, sent = 0;

	if (c->ch == NULL || s->eof)
		return;
	room = chan_send_room(c->ch);
	if (room == 0 || chan_output_full(c->ch)) {
		/* Wait for the peer's window to re-open, or the connection's output
		 * queue to drain (both come back as chan_ops.window). */
		net_stream_want_read(s->st, 0);
		return;
	}
	if (s->ext == 0 && (r = read_in_place(c, s, &sent)) != 1) {
		if (sent)
			c->flush(c->flush_arg);
		if (r != 0)
			goto failed;
		return;
	}
	if (room > sizeof(chunk))
		room = sizeof(chunk);
	r = net_stream_read(s->st, chunk, room, &n);
	if (r == ERR_AGAIN)
		return;
	if (r != 0)
		goto failed;
	c->bytes_out += n;
	if (chan_send_data(c->ch, s->ext, chunk, n) != 0)
		source_eof(s);
	c->flush(c->flush_arg);
	return;
failed:
	if (r != ERR_EOF)
		log_debug("channel %u: read error: %s", chan_id(c->ch), err_str(r));
	source_eof(s);
}

static void on_sink_wrote(void *arg, size_t n)
{
	struct cio_sink *k = arg;
	struct chanio *c = k->c;

	if (c->ch != NULL) {
		chan_consumed(c->ch, n);
		c->flush(c->flush_arg);
	}
	check_drained(c);
}

static void on_sink_error(void *arg, int err)
{
	struct cio_sink *k = arg;
	struct chanio *c = k->c;
	size_t dropped = buf_len(&k->pending);

	log_debug("channel write failed: %s", strerror(err));
	k->dead = 1;
	buf_reset(&k->pending);
	if (c->ch != NULL && dropped > 0) {
		chan_consumed(c->ch, dropped);
		c->flush(c->flush_arg);
	}
	check_drained(c);
}

/* A socket used as source and sink: one stream, whose callbacks go to both. */
static void on_socket_readable(void *arg)
{
	struct chanio *c = arg;

	on_source_readable(&c->src[0]);
}

static void on_socket_wrote(void *arg, size_t n)
{
	struct chanio *c = arg;

	on_sink_wrote(&c->sink[0], n);
}

static void on_socket_error(void *arg, int err)
{
	struct chanio *c = arg;

	on_sink_error(&c->sink[0], err);
}

static const struct net_stream_ops source_ops = { .readable = on_source_readable };
static const struct net_stream_ops sink_ops = { .wrote = on_sink_wrote,
						.write_error = on_sink_error };
static const struct net_stream_ops socket_ops = { .readable = on_socket_readable,
						  .wrote = on_socket_wrote,
						  .write_error = on_socket_error };

int chanio_new(struct event_base *base, const struct chanio_hooks *hooks, void *arg,
	       void (*flush)(void *), void *flush_arg, struct chanio **out)
{
	struct chanio *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return ERR_ALLOC;
	c->base = base;
	c->hooks = hooks;
	c->arg = arg;
	c->flush = flush;
	c->flush_arg = flush_arg;
	for (int i = 0; i < 2; i++) {
		c->sink[i].c = c;
		buf_init(&c->sink[i].pending);
	}
	*out = c;
	return 0;
}

void chanio_set_channel(struct chanio *c, struct chan *ch)
{
	c->ch = ch;
}

struct chan *chanio_channel(const struct chanio *c)
{
	return c->ch;
}

int chanio_add_source(struct chanio *c, int fd, uint32_t ext)
{
	struct cio_source *s;
	int r;

	if (c->nsrc == CHANIO_MAX_SOURCES)
		return ERR_INVALID_ARG;
	s = &c->src[c->nsrc];
	s->c = c;
	s->ext = ext;
	if ((r = net_stream_new(c->base, fd, -1, &source_ops, s, &s->st)) != 0)
		return r;
	c->nsrc++;
	return 0;
}

int chanio_add_sink(struct chanio *c, int fd, uint32_t ext)
{
	struct cio_sink *k;

	if (ext > 1 || c->sink[ext].st != NULL)
		return ERR_INVALID_ARG;
	k = &c->sink[ext];
	return net_stream_new(c->base, -1, fd, &sink_ops, k, &k->st);
}

int chanio_add_socket(struct chanio *c, int fd)
{
	struct net_stream *st;
	int r;

	if (c->nsrc != 0 || c->sink[0].st != NULL)
		return ERR_INVALID_ARG;
	if ((r = net_stream_new(c->base, fd, fd, &socket_ops, c, &st)) != 0)
		return r;
	c->src[0].c = c;
	c->src[0].st = st;
	c->nsrc = 1;
	c->sink[0].st = st;
	c->sink[0].shared = 1;
	return 0;
}

void chanio_start(struct chanio *c)
{
	c->started = 1;
	for (int i = 0; i < c->nsrc; i++)
		if (!c->src[i].eof)
			net_stream_want_read(c->src[i].st, 1);
	if (c->nsrc == 0)
		maybe_send_eof(c);
}

void chanio_send_eof(struct chanio *c)
{
	for (int i = 0; i < c->nsrc; i++)
		if (!c->src[i].eof)
			source_eof(&c->src[i]);
	maybe_send_eof(c);
}

void chanio_close(struct chanio *c)
{
	if (c->ch != NULL && !chan_close_sent(c->ch)) {
		chan_close(c->ch);
		c->flush(c->flush_arg);
	}
}

void chanio_abort(struct chanio *c)
{
	release(c);
}

uint64_t chanio_bytes_in(const struct chanio *c)
{
	return c->bytes_in;
}

uint64_t chanio_bytes_out(const struct chanio *c)
{
	return c->bytes_out;
}

/* ---- chan_ops ---- */

static int op_data(struct chan *ch, uint32_t ext, const uint8_t *p, size_t n)
{
	struct chanio *c = chan_ctx(ch);
	struct cio_sink *k = ext <= 1 ? &c->sink[ext] : NULL;
	size_t written = 0;
	int r;

	c->bytes_in += n;
	if (k == NULL || k->st == NULL || k->dead || net_stream_wfd(k->st) < 0) {
		/* Nobody to deliver to: drop it but keep the window open. */
		chan_consumed(ch, n);
		return 0;
	}
	if ((r = buf_put(&k->pending, p, n)) != 0)
		return r;
	if (net_stream_write(k->st, &k->pending, &written) != 0) {
		on_sink_error(k, errno);
		return 0;
	}
	if (written > 0)
		chan_consumed(ch, written);
	return 0;
}

static void op_eof(struct chan *ch)
{
	struct chanio *c = chan_ctx(ch);

	c->peer_eof = 1;
	for (int i = 0; i < 2; i++) {
		struct cio_sink *k = &c->sink[i];

		if (k->st != NULL && net_stream_wfd(k->st) >= 0)
			net_stream_shutdown_write(k->st);
	}
	check_drained(c);
}

static int op_request(struct chan *ch, const char *type, int want_reply, struct rd *args)
{
	struct chanio *c = chan_ctx(ch);

	if (c->hooks->request == NULL)
		return -1;
	return c->hooks->request(c->arg, type, want_reply, args);
}

static void op_reply(struct chan *ch, int success)
{
	struct chanio *c = chan_ctx(ch);

	if (c->hooks->reply != NULL)
		c->hooks->reply(c->arg, success);
}

static void op_open_result(struct chan *ch, int ok, uint32_t reason, const char *msg)
{
	struct chanio *c = chan_ctx(ch);

	if (c->hooks->open_result != NULL)
		c->hooks->open_result(c->arg, ok, reason, msg);
	/* A refused channel never gets a closed op: release everything now. */
	if (!ok)
		release(c);
}

static void op_window(struct chan *ch)
{
	struct chanio *c = chan_ctx(ch);

	if (!c->started)
		return;
	for (int i = 0; i < c->nsrc; i++)
		if (!c->src[i].eof)
			net_stream_want_read(c->src[i].st, 1);
}

/*
 * Data the peer sent before closing is still owed to the local side: it
 * lingers, written out by the event loop, and the descriptor closes once it
 * is delivered (never a blocking write that would stall other channels).
 */
struct linger {
	struct linger *next, *prev;
	struct net_stream *st;
	struct buf pending;
};

static struct linger *lingering;

static void linger_free(struct linger *l)
{
	if (l->prev != NULL)
		l->prev->next = l->next;
	else
		lingering = l->next;
	if (l->next != NULL)
		l->next->prev = l->prev;
	net_stream_free(l->st);
	buf_free(&l->pending);
	free(l);
}

static void linger_wrote(void *arg, size_t n)
{
	struct linger *l = arg;

	(void)n;
	if (!net_stream_write_pending(l->st))
		linger_free(l);
}

static void linger_error(void *arg, int err)
{
	(void)err;
	linger_free(arg);
}

static const struct net_stream_ops linger_ops = { .wrote = linger_wrote,
						  .write_error = linger_error };

/* Take over a sink's stream and pending bytes; 0 if it had nothing pending. */
static int linger_start(struct cio_sink *k)
{
	struct linger *l;

	if (k->dead || buf_len(&k->pending) == 0 || net_stream_wfd(k->st) < 0 ||
	    (l = calloc(1, sizeof(*l))) == NULL)
		return 0;
	l->st = k->st;
	l->pending = k->pending;
	buf_init(&k->pending);
	net_stream_close_read(l->st);
	net_stream_set_ops(l->st, &linger_ops, l);
	l->next = lingering;
	if (lingering != NULL)
		lingering->prev = l;
	lingering = l;
	if (net_stream_write(l->st, &l->pending, NULL) != 0 || !net_stream_write_pending(l->st)) {
		linger_free(l);
		return 1;
	}
	net_stream_shutdown_write(l->st);
	return 1;
}

void chanio_flush_lingering(void)
{
	while (lingering != NULL) {
		struct linger *l = lingering;
		int fd = net_stream_wfd(l->st);

		if (fd >= 0) {
			fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
			while (buf_len(&l->pending) > 0) {
				ssize_t w = write(fd, buf_ptr(&l->pending), buf_len(&l->pending));

				if (w < 0 && errno == EINTR)
					continue;
				if (w <= 0)
					break;
				buf_consume(&l->pending, (size_t)w);
			}
		}
		linger_free(l);
	}
}

static void op_closed(struct chan *ch)
{
	release(chan_ctx(ch));
}

/* The channel is gone: flush what we can, free descriptors, tell the owner, free. */
static void release(struct chanio *c)
{
	c->ch = NULL;
	for (int i = 0; i < 2; i++) {
		struct cio_sink *k = &c->sink[i];

		if (k->st != NULL && linger_start(k)) {
			if (k->shared)
				c->src[0].st = NULL; /* the linger owns the socket now */
		} else if (k->st != NULL && !k->shared) {
			net_stream_free(k->st);
		}
		buf_free(&k->pending);
	}
	for (int i = 0; i < c->nsrc; i++)
		net_stream_free(c->src[i].st);
	if (c->hooks->closed != NULL)
		c->hooks->closed(c->arg);
	free(c);
}

static const struct chan_ops chanio_ops = {
	.data = op_data,
	.eof = op_eof,
	.request = op_request,
	.reply = op_reply,
	.open_result = op_open_result,
	.window = op_window,
	.closed = op_closed,
};

const struct chan_ops *chanio_chan_ops(void)
{
	return &chanio_ops;
}
