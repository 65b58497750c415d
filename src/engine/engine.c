#include "engine/engine.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "net/stream.h"
#include "util/err.h"
#include "util/log.h"

#define ENGINE_READ_CHUNK (256 * 1024)

struct engine {
	struct net_stream *st;
	struct tp *t;
	struct event *timer;    /* once a second: time-based rekeying */
	struct event *finish_ev;/* deferred end, so no caller sees the engine vanish */
	struct event *flush_ev; /* deferred write: one per loop pass, not one per message */
	int flush_queued;
	const struct engine_ops *ops;
	void *arg;
	int closing;            /* DISCONNECT queued: finish once written */
	int finished;
	int finish_err;
	char why[256];
};

static void finish(struct engine *e, int err, const char *why)
{
	if (e->finished)
		return;
	e->finished = 1;
	e->finish_err = err;
	if (why != e->why)
		snprintf(e->why, sizeof(e->why), "%s", why != NULL ? why : "");
	net_stream_want_read(e->st, 0);
	event_active(e->finish_ev, EV_TIMEOUT, 0);
}

static void on_finish(evutil_socket_t fd, short what, void *arg)
{
	struct engine *e = arg;

	(void)fd;
	(void)what;
	e->ops->finished(e->arg, e->finish_err, e->why);
}

void engine_flush(struct engine *e)
{
	struct buf *out = tp_outbuf(e->t);
	int r;

	if (e->finished && !e->closing)
		return;
	if (buf_len(out) > 0) {
		if ((r = net_stream_write(e->st, out, NULL)) != 0) {
			finish(e, ERR_SYSTEM, strerror(errno));
			return;
		}
		if (e->ops->drained != NULL && !e->finished)
			e->ops->drained(e->arg);
	}
	if (e->closing && !net_stream_write_pending(e->st)) {
		e->closing = 0;
		finish(e, e->finish_err, e->why);
	}
}

static void on_flush(evutil_socket_t fd, short what, void *arg)
{
	struct engine *e = arg;

	(void)fd;
	(void)what;
	e->flush_queued = 0;
	engine_flush(e);
}

/*
 * Channels queue messages as their descriptors become readable; writing once
 * after every ready descriptor had its turn puts many messages in one
 * segment and one syscall.
 */
void engine_flush_cb(void *engine)
{
	struct engine *e = engine;

	if (e->flush_queued)
		return;
	e->flush_queued = 1;
	event_active(e->flush_ev, EV_TIMEOUT, 0);
}

static void fail(struct engine *e, int err)
{
	const char *why = tp_error(e->t);

	if (why == NULL || *why == '\0')
		why = err_str(err);
	/* A DISCONNECT may be queued: write it before finishing. */
	snprintf(e->why, sizeof(e->why), "%s", why);
	e->finish_err = err;
	e->closing = 1;
	net_stream_want_read(e->st, 0);
	engine_flush(e);
}

static void on_readable(void *arg)
{
	struct engine *e = arg;
	uint8_t chunk[ENGINE_READ_CHUNK];
	const uint8_t *p;
	size_t n = 0, len;
	int r;

	r = net_stream_read(e->st, chunk, sizeof(chunk), &n);
	if (r == ERR_AGAIN)
		return;
	if (r == ERR_EOF) {
		tp_input_eof(e->t);
		finish(e, ERR_EOF, "Connection closed by remote host");
		return;
	}
	if (r != 0) {
		finish(e, ERR_SYSTEM, strerror(errno));
		return;
	}
	if ((r = tp_input(e->t, chunk, n)) != 0) {
		fail(e, r);
		return;
	}
	while (!e->finished && !e->closing && (r = tp_read_packet(e->t, &p, &len)) == 0) {
		if ((r = e->ops->dispatch(e->arg, p, len)) != 0)
			break;
	}
	if (r != 0 && r != ERR_AGAIN && !e->finished && !e->closing) {
		fail(e, r);
		return;
	}
	engine_flush(e);
}

static void on_write_error(void *arg, int err)
{
	struct engine *e = arg;

	finish(e, ERR_SYSTEM, strerror(err));
}

static void on_wrote(void *arg, size_t n)
{
	struct engine *e = arg;

	(void)n;
	if (e->ops->drained != NULL && !e->finished && !e->closing)
		e->ops->drained(e->arg);
	if (e->closing && !net_stream_write_pending(e->st)) {
		e->closing = 0;
		finish(e, e->finish_err, e->why);
	}
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct engine *e = arg;
	struct timespec ts;
	int r;

	(void)fd;
	(void)what;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	if ((r = tp_tick(e->t, (uint64_t)ts.tv_sec)) != 0)
		fail(e, r);
	else
		engine_flush(e);
}

static const struct net_stream_ops engine_stream_ops = {
	.readable = on_readable,
	.wrote = on_wrote,
	.write_error = on_write_error,
};

int engine_new(struct event_base *base, int fd, struct tp *t, const struct engine_ops *ops,
	       void *arg, struct engine **out)
{
	struct timeval sec = { 1, 0 };
	struct engine *e;
	int r;

	if ((e = calloc(1, sizeof(*e))) == NULL)
		return ERR_ALLOC;
	e->t = t;
	e->ops = ops;
	e->arg = arg;
	if ((r = net_stream_new(base, fd, fd, &engine_stream_ops, e, &e->st)) != 0)
		goto fail;
	r = ERR_ALLOC;
	if ((e->timer = event_new(base, -1, EV_PERSIST, on_timer, e)) == NULL ||
	    (e->finish_ev = event_new(base, -1, 0, on_finish, e)) == NULL ||
	    (e->flush_ev = event_new(base, -1, 0, on_flush, e)) == NULL)
		goto fail;
	event_add(e->timer, &sec);
	net_stream_want_read(e->st, 1);
	*out = e;
	return 0;
fail:
	if (e->timer != NULL)
		event_free(e->timer);
	if (e->finish_ev != NULL)
		event_free(e->finish_ev);
	net_stream_free(e->st);
	free(e);
	return r;
}

void engine_free(struct engine *e)
{
	if (e == NULL)
		return;
	event_free(e->timer);
	event_free(e->finish_ev);
	event_free(e->flush_ev);
	net_stream_free(e->st);
	tp_free(e->t);
	free(e);
}

struct tp *engine_tp(struct engine *e)
{
	return e->t;
}

void engine_close(struct engine *e, uint32_t reason, const char *msg, int err)
{
	if (e->finished || e->closing)
		return;
	if (reason != 0)
		tp_disconnect(e->t, reason, msg);
	snprintf(e->why, sizeof(e->why), "%s", msg != NULL ? msg : "");
	e->finish_err = err;
	e->closing = 1;
	net_stream_want_read(e->st, 0);
	engine_flush(e);
}

size_t engine_pending_output(const struct engine *e)
{
	return buf_len(tp_outbuf(e->t));
}

const char *engine_disconnect_detail(const char *why)
{
	const char *p = strstr(why, ": ");

	return p != NULL ? p + 2 : why;
}

uint64_t engine_clock_us(void *unused)
{
	struct timespec ts;

	(void)unused;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}
