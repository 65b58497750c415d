/*
 * -D / DynamicForward: a local SOCKS server (fwd_socks.c parses); each
 * request becomes one direct-tcpip channel to the host the client named,
 * resolved by the server. The SOCKS answer waits for the server's answer to
 * the open, so a refused or failed target gets its SOCKS error code.
 */
#include "fwd/fwd.h"

#include <errno.h>
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "chanio/chanio.h"
#include "fwd/fwd_socks.h"
#include "net/listener.h"
#include "net/tcp.h"
#include "util/err.h"
#include "util/log.h"

#define DYN_MAX_LISTEN_FDS 16
#define DYN_MAX_REQUEST 1024   /* longest SOCKS handshake we buffer */
#define DYN_HANDSHAKE_SEC 30   /* a client that never finishes its request is dropped */

struct fwd_dynamic {
	struct fwd_dynamic *next;
	struct fwd_client *fc;
	struct net_listener *nl;
	const struct fwd_spec *spec;
};

/* One SOCKS client: handshake, then a channel. */
struct dyn_conn {
	struct fwd_client *fc;
	int fd;                  /* ours until the chanio takes it */
	struct event *ev;
	struct buf in;           /* handshake bytes not consumed yet; after DONE, early data */
	struct fwd_socks socks;
	struct chanio *cio;
	int cio_owns_fd;         /* d->fd stays valid (borrowed) for the SOCKS reply */
	int counted;             /* counted in fc->active */
};

static void dyn_free(struct dyn_conn *d)
{
	if (d->ev != NULL)
		event_free(d->ev);
	if (d->fd >= 0)
		close(d->fd);
	buf_free(&d->in);
	free(d);
}

/* Replies are a few bytes on a fresh socket: a short write means the client is gone. */
static int send_all(int fd, struct buf *b)
{
	ssize_t n;

	if (buf_len(b) == 0)
		return 0;
	n = send(fd, buf_ptr(b), buf_len(b), MSG_NOSIGNAL);
	if (n < 0 || (size_t)n != buf_len(b))
		return ERR_SYSTEM;
	buf_reset(b);
	return 0;
}

static void dyn_open_result(void *arg, int ok, uint32_t reason, const char *msg)
{
	struct dyn_conn *d = arg;
	struct chan *ch = chanio_channel(d->cio);
	struct buf out;
	int r;

	buf_init(&out);
	if (!ok) {
		/* ssh's wording on stderr, and the SOCKS client learns why. */
		fprintf(stderr, "channel %u: open failed: %s: %s\r\n", ch != NULL ? chan_id(ch) : 0,
			fwd_reason_text(reason), msg != NULL ? msg : "");
		if (fwd_socks_reply(&d->socks, fwd_socks_code(reason, msg), &out) == 0)
			(void)send_all(d->fd, &out);
		buf_free(&out);
		return; /* the chanio closes the socket and runs closed */
	}
	r = fwd_socks_reply(&d->socks, SOCKS5_OK, &out);
	if (r == 0)
		r = send_all(d->fd, &out);
	buf_free(&out);
	/* Bytes the client sent right after its request go first. */
	if (r == 0 && buf_len(&d->in) > 0) {
		if (chan_send_room(ch) < buf_len(&d->in))
			r = ERR_WINDOW;
		else
			r = chan_send_data(ch, 0, buf_ptr(&d->in), buf_len(&d->in));
		buf_reset(&d->in);
	}
	if (r != 0) {
		chanio_close(d->cio);
		return;
	}
	chanio_start(d->cio);
}

static void dyn_drained(void *arg)
{
	struct dyn_conn *d = arg;

	chanio_close(d->cio);
}

static void dyn_closed(void *arg)
{
	struct dyn_conn *d = arg;
	struct fwd_client *fc = d->fc;
	int counted = d->counted;

	if (d->cio_owns_fd)
		d->fd = -1;
	dyn_free(d);
	if (counted && fc->active > 0 && --fc->active == 0 && fc->idle != NULL)
		fc->idle(fc->idle_arg);
}

static const struct chanio_hooks dyn_hooks = {
	.open_result = dyn_open_result,
	.drained = dyn_drained,
	.closed = dyn_closed,
};

/*
 * The request is complete: open direct-tcpip to what the client named (RFC
 * 4254 7.2). On an error return d is still the caller's; otherwise it belongs
 * to the chanio (and may already be freed).
 */
static int dyn_open(struct dyn_conn *d)
{
	struct fwd_client *fc = d->fc;
	char addr[64] = "127.0.0.1";
	struct chan *ch = NULL;
	struct buf extra;
	int port = 0, r;

	net_sockaddr_str(d->fd, 0, addr, sizeof(addr), &port);
	log_debug("Connection to dynamic forward: SOCKS%d%s request for %s port %u",
		  d->socks.version, d->socks.socks4a ? "A" : "", d->socks.host,
		  (unsigned)d->socks.port);
	if ((r = chanio_new(fc->base, &dyn_hooks, d, fc->flush, fc->flush_arg, &d->cio)) != 0)
		return r;
	/* From here on dyn_closed frees d, whatever happens. */
	fc->active++;
	d->counted = 1;
	if (chanio_add_socket(d->cio, d->fd) != 0) {
		chanio_abort(d->cio);
		return 0;
	}
	d->cio_owns_fd = 1;
	buf_init(&extra);
	r = buf_put_cstring(&extra, d->socks.host);
	if (r == 0)
		r = buf_put_u32(&extra, d->socks.port);
	if (r == 0)
		r = buf_put_cstring(&extra, addr);
	if (r == 0)
		r = buf_put_u32(&extra, (uint32_t)port);
	/* Reconnect=yes: no connection during an outage, the new connection is closed. */
	if (r == 0 && fc->conn == NULL)
		r = ERR_EOF;
	if (r == 0)
		r = chan_open(fc->conn, "direct-tcpip", buf_ptr(&extra), buf_len(&extra),
			      chanio_chan_ops(), d->cio, &ch);
	buf_free(&extra);
	if (r != 0) {
		chanio_abort(d->cio); /* closes the socket, runs dyn_closed */
		return 0;
	}
	chanio_set_channel(d->cio, ch);
	log_debug("channel %u: new [dynamic-tcpip]", chan_id(ch));
	fc->flush(fc->flush_arg);
	return 0;
}

static void dyn_read(evutil_socket_t fd, short what, void *arg)
{
	struct dyn_conn *d = arg;
	struct buf out;
	uint8_t *p;
	size_t used = 0;
	ssize_t n;
	int r;

	(void)fd;
	if (what & EV_TIMEOUT) {
		log_debug("dynamic forward: SOCKS handshake timed out");
		dyn_free(d);
		return;
	}
	if (buf_len(&d->in) >= DYN_MAX_REQUEST || buf_reserve(&d->in, 512, &p) != 0) {
		dyn_free(d);
		return;
	}
	n = recv(d->fd, p, 512, 0);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
		buf_consume_end(&d->in, 512);
		return;
	}
	if (n <= 0) {
		dyn_free(d);
		return;
	}
	buf_consume_end(&d->in, 512 - (size_t)n);
	buf_init(&out);
	r = fwd_socks_input(&d->socks, buf_ptr(&d->in), buf_len(&d->in), &used, &out);
	if (send_all(d->fd, &out) != 0 && r >= 0)
		r = ERR_SYSTEM;
	buf_free(&out);
	if (r < 0) {
		log_verbose("dynamic forward: bad SOCKS request (%s)", err_str(r));
		dyn_free(d);
		return;
	}
	buf_consume(&d->in, used);
	if (r != FWD_SOCKS_DONE)
		return;
	event_free(d->ev);
	d->ev = NULL;
	if (dyn_open(d) != 0) {
		log_error("cannot forward connection: out of resources");
		dyn_free(d);
	}
}

static void dyn_accept(void *arg, int fd)
{
	struct fwd_dynamic *l = arg;
	struct timeval tv = { DYN_HANDSHAKE_SEC, 0 };
	struct dyn_conn *d;

	if ((d = calloc(1, sizeof(*d))) == NULL) {
		close(fd);
		return;
	}
	d->fc = l->fc;
	d->fd = fd;
	buf_init(&d->in);
	fwd_socks_init(&d->socks);
	d->ev = event_new(l->fc->base, fd, EV_READ | EV_PERSIST, dyn_read, d);
	if (d->ev == NULL || event_add(d->ev, &tv) != 0)
		dyn_free(d);
}

int fwd_dynamic_listen(struct fwd_client *fc, const struct fwd_spec *spec, int gateway_ports)
{
	int fds[DYN_MAX_LISTEN_FDS], n = 0, r;
	const char *host = spec->listen_host;
	char err[256];

	/* As -L: loopback unless GatewayPorts; "*" or "" means every address. */
	if (host == NULL && gateway_ports)
		host = "";
	else if (host != NULL && strcmp(host, "*") == 0)
		host = "";
	else if (host != NULL && strcasecmp(host, "localhost") == 0)
		host = NULL;
	if ((r = net_listen_tcp(host, spec->listen_port, AF_UNSPEC, fds, DYN_MAX_LISTEN_FDS, &n,
				err, sizeof(err))) != 0) {
		if (err[0] != '\0')
			fprintf(stderr, "%s\r\n", err);
		fprintf(stderr, "channel_setup_fwd_listener_tcpip: cannot listen to port: %d\r\n"
				"Could not request dynamic forwarding.\r\n", spec->listen_port);
		return r;
	}
	for (int i = 0; i < n; i++) {
		struct fwd_dynamic *l;

		if ((l = calloc(1, sizeof(*l))) == NULL) {
			r = ERR_ALLOC;
		} else {
			l->fc = fc;
			l->spec = spec;
			if ((r = net_listener_new(fc->base, fds[i], dyn_accept, l, &l->nl)) != 0)
				free(l);
		}
		if (r != 0) {
			for (int j = i; j < n; j++)
				close(fds[j]);
			return r;
		}
		l->next = fc->dynamics;
		fc->dynamics = l;
	}
	log_debug("Local connections to %s:%d forwarded to remote address socks:0",
		  host == NULL ? "LOCALHOST" : *host != '\0' ? host : "*", spec->listen_port);
	return 0;
}

void fwd_dynamic_close_all(struct fwd_client *fc)
{
	while (fc->dynamics != NULL) {
		struct fwd_dynamic *l = fc->dynamics;

		fc->dynamics = l->next;
		net_listener_free(l->nl);
		free(l);
	}
}
