#include "net/stream.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/event.h>

#include "util/err.h"

struct net_stream {
	int rfd, wfd;
	int sock;              /* the socket when rfd == wfd: closed only at free */
	struct event *rev, *wev;
	const struct net_stream_ops *ops;
	void *arg;
	struct buf *out;       /* what the owner asked us to drain */
	int shutdown_pending;  /* shut the write side once out drains */
	int reading;
	int is_sock;           /* sock is a socket (shutdown, not close, half-closes it) */
	int r_always;          /* regular file or /dev/null: epoll refuses it, reads never block */
};

static int set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0)
		return ERR_SYSTEM;
	/* Accepted and dialled sockets are born non-blocking: save the syscall. */
	if ((fl & O_NONBLOCK) == 0 && fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return ERR_SYSTEM;
	return 0;
}

static void close_write_side(struct net_stream *s)
{
	if (s->wfd < 0)
		return;
	if (s->wev != NULL) {
		event_free(s->wev);
		s->wev = NULL;
	}
	if (s->wfd == s->sock) {
		if (s->is_sock)
			shutdown(s->wfd, SHUT_WR);
	} else {
		close(s->wfd);
	}
	s->wfd = -1;
	s->out = NULL;
	s->shutdown_pending = 0;
}

static int drain(struct net_stream *s, size_t *written)
{
	size_t total = 0;

	while (s->out != NULL && buf_len(s->out) > 0) {
		ssize_t w = write(s->wfd, buf_ptr(s->out), buf_len(s->out));

		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			*written = total;
			return ERR_SYSTEM;
		}
		buf_consume(s->out, (size_t)w);
		total += (size_t)w;
	}
	*written = total;
	if (s->out != NULL && buf_len(s->out) > 0)
		event_add(s->wev, NULL);
	else {
		event_del(s->wev);
		s->out = NULL;
		if (s->shutdown_pending)
			close_write_side(s);
	}
	return 0;
}

static void on_read(evutil_socket_t fd, short what, void *arg)
{
	struct net_stream *s = arg;

	(void)fd;
	(void)what;
	if (s->ops->readable != NULL)
		s->ops->readable(s->arg);
	/* Without readiness events, keep going while the owner still wants data. */
	if (s->r_always && s->reading && s->rev != NULL)
		event_active(s->rev, EV_READ, 0);
}

/* epoll(7) rejects regular files and most character devices; those never block. */
static int pollable(int fd, const struct stat *st)
{
	return !(S_ISREG(st->st_mode) || S_ISDIR(st->st_mode) ||
		 (S_ISCHR(st->st_mode) && !isatty(fd)));
}

static void on_write(evutil_socket_t fd, short what, void *arg)
{
	struct net_stream *s = arg;
	size_t n = 0;
	int r;

	(void)fd;
	(void)what;
	r = drain(s, &n);
	if (r != 0) {
		int e = errno;

		close_write_side(s);
		if (s->ops->write_error != NULL)
			s->ops->write_error(s->arg, e);
		return;
	}
	if (n > 0 && s->ops->wrote != NULL)
		s->ops->wrote(s->arg, n);
}

int net_stream_new(struct event_base *base, int rfd, int wfd, const struct net_stream_ops *ops,
		   void *arg, struct net_stream **out)
{
	struct net_stream *s;
	struct stat st;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return ERR_ALLOC;
	s->rfd = rfd;
	s->wfd = wfd;
	s->sock = rfd == wfd ? rfd : -1;
	s->ops = ops;
	s->arg = arg;
	if ((rfd >= 0 && set_nonblock(rfd) != 0) ||
	    (wfd >= 0 && wfd != rfd && set_nonblock(wfd) != 0))
		goto fail;
	/* One fstat tells both whether epoll takes it and whether it is a socket. */
	if (rfd >= 0 && fstat(rfd, &st) != 0)
		goto fail;
	if (rfd >= 0 && rfd == wfd)
		s->is_sock = S_ISSOCK(st.st_mode);
	if (rfd >= 0 && !pollable(rfd, &st)) {
		s->r_always = 1;
		if ((s->rev = event_new(base, -1, 0, on_read, s)) == NULL)
			goto fail;
	} else if (rfd >= 0 &&
		   (s->rev = event_new(base, rfd, EV_READ | EV_PERSIST, on_read, s)) == NULL) {
		goto fail;
	}
	if (wfd >= 0 && (s->wev = event_new(base, wfd, EV_WRITE | EV_PERSIST, on_write, s)) == NULL)
		goto fail;
	*out = s;
	return 0;
fail:
	if (s->rev != NULL)
		event_free(s->rev);
	free(s);
	return ERR_SYSTEM;
}

void net_stream_free(struct net_stream *s)
{
	if (s == NULL)
		return;
	if (s->rev != NULL)
		event_free(s->rev);
	if (s->wev != NULL)
		event_free(s->wev);
	if (s->rfd >= 0 && s->rfd != s->sock)
		close(s->rfd);
	if (s->wfd >= 0 && s->wfd != s->sock)
		close(s->wfd);
	if (s->sock >= 0)
		close(s->sock);
	free(s);
}

void net_stream_set_ops(struct net_stream *s, const struct net_stream_ops *ops, void *arg)
{
	s->ops = ops;
	s->arg = arg;
}

void net_stream_want_read(struct net_stream *s, int on)
{
	if (s->rev == NULL || s->reading == on)
		return;
	s->reading = on;
	if (on && s->r_always)
		event_active(s->rev, EV_READ, 0);
	else if (on)
		event_add(s->rev, NULL);
	else
		event_del(s->rev);
}

int net_stream_read(struct net_stream *s, uint8_t *p, size_t max, size_t *n)
{
	ssize_t r;

	if (s->rfd < 0)
		return ERR_EOF;
	do {
		r = read(s->rfd, p, max);
	} while (r < 0 && errno == EINTR);
	if (r < 0)
		return (errno == EAGAIN || errno == EWOULDBLOCK) ? ERR_AGAIN : ERR_SYSTEM;
	if (r == 0)
		return ERR_EOF;
	*n = (size_t)r;
	return 0;
}

int net_stream_write(struct net_stream *s, struct buf *b, size_t *written)
{
	size_t n = 0;
	int r;

	if (s->wfd < 0)
		return ERR_SYSTEM;
	s->out = b;
	r = drain(s, &n);
	if (written != NULL)
		*written = n;
	if (r != 0)
		close_write_side(s);
	return r;
}

int net_stream_write_pending(const struct net_stream *s)
{
	return s->out != NULL && buf_len(s->out) > 0;
}

void net_stream_shutdown_write(struct net_stream *s)
{
	if (net_stream_write_pending(s))
		s->shutdown_pending = 1;
	else
		close_write_side(s);
}

void net_stream_close_read(struct net_stream *s)
{
	if (s->rfd < 0)
		return;
	if (s->rev != NULL) {
		event_free(s->rev);
		s->rev = NULL;
	}
	/* A socket's read side needs no shutdown(SHUT_RD): it sends nothing and
	 * mostly fails (ENOTCONN) after the peer's FIN; we just stop reading. */
	if (s->rfd != s->sock)
		close(s->rfd);
	s->rfd = -1;
	s->reading = 0;
}

int net_stream_rfd(const struct net_stream *s)
{
	return s->rfd;
}

int net_stream_wfd(const struct net_stream *s)
{
	return s->wfd;
}
