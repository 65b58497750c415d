/*
 * -R [bind:]port without a target (remote dynamic forwarding): the server's
 * forwarded-tcpip channels carry SOCKS requests; we answer them on the
 * channel (fwd_socks.c parses), connect locally to what PermitRemoteOpen
 * allows, then hand the channel to a chanio.
 */
#include "fwd/fwd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "chanio/chanio.h"
#include "fwd/fwd_socks.h"
#include "net/connect.h"
#include "util/err.h"
#include "util/log.h"

#define DYN_MAX_EARLY (256 << 10) /* data a SOCKS client sent before our reply */

/* One forwarded-tcpip channel: SOCKS handshake over the channel, then a chanio. */
struct dyn_in {
	struct fwd_client *fc;
	struct chan *ch;
	struct buf in;           /* received, not yet passed on nor consumed */
	struct fwd_socks socks;
	struct net_connect *nc;
	char origin[80];         /* "ADDR port N" of the remote SOCKS client */
	int done;                /* request parsed */
};

static void din_free(struct dyn_in *d)
{
	struct fwd_client *fc = d->fc;

	if (d->nc != NULL)
		net_connect_cancel(d->nc);
	buf_free(&d->in);
	free(d);
	if (fc->active > 0 && --fc->active == 0 && fc->idle != NULL)
		fc->idle(fc->idle_arg);
}

/* The reply goes on the channel; when it does not fit the peer's window, give up. */
static int din_send(struct dyn_in *d, struct buf *b)
{
	int r = 0;

	if (buf_len(b) > 0) {
		if (chan_send_room(d->ch) < buf_len(b))
			r = ERR_WINDOW;
		else
			r = chan_send_data(d->ch, 0, buf_ptr(b), buf_len(b));
	}
	buf_reset(b);
	d->fc->flush(d->fc->flush_arg);
	return r;
}

static void din_fail(struct dyn_in *d, uint8_t code)
{
	struct buf out;

	buf_init(&out);
	if (fwd_socks_reply(&d->socks, code, &out) == 0)
		(void)din_send(d, &out);
	buf_free(&out);
	chan_close(d->ch);
	d->fc->flush(d->fc->flush_arg);
}

static void din_closed_hook(void *arg)
{
	din_free(arg);
}

static void din_drained(void *arg)
{
	struct dyn_in *d = arg;

	chanio_close(chan_ctx(d->ch));
}

static const struct chanio_hooks din_hooks = {
	.drained = din_drained,
	.closed = din_closed_hook,
};

static void din_connected(void *arg, int fd, int err, const char *msg)
{
	struct dyn_in *d = arg;
	struct fwd_client *fc = d->fc;
	struct chanio *cio;
	struct buf out;
	int r;

	(void)err;
	d->nc = NULL;
	if (fd < 0) {
		log_info("connect_to %s port %u: failed: %s", d->socks.host, (unsigned)d->socks.port,
			 msg != NULL ? msg : "");
		din_fail(d, fwd_socks_code(SSH_OPEN_CONNECT_FAILED, msg));
		return;
	}
	if (chanio_new(fc->base, &din_hooks, d, fc->flush, fc->flush_arg, &cio) != 0) {
		close(fd);
		din_fail(d, SOCKS5_GENERAL_FAILURE);
		return;
	}
	if (chanio_add_socket(cio, fd) != 0) {
		struct chan *ch = d->ch;

		close(fd);
		chanio_abort(cio); /* runs din_closed_hook: d is gone */
		chan_set_ctx(ch, NULL);
		chan_close(ch);
		fc->flush(fc->flush_arg);
		return;
	}
	buf_init(&out);
	r = fwd_socks_reply(&d->socks, SOCKS5_OK, &out);
	if (r == 0)
		r = din_send(d, &out);
	buf_free(&out);
	/* From here the chanio owns the channel; early data goes through it. */
	chan_set_ops(d->ch, chanio_chan_ops());
	chan_set_ctx(d->ch, cio);
	chanio_set_channel(cio, d->ch);
	if (r == 0 && buf_len(&d->in) > 0)
		r = chanio_chan_ops()->data(d->ch, 0, buf_ptr(&d->in), buf_len(&d->in));
	buf_reset(&d->in);
	if (r != 0) {
		chanio_close(cio);
		return;
	}
	chanio_start(cio);
	fc->flush(fc->flush_arg);
}

/* ssh_config PermitRemoteOpen: "any", "none", or host:port words ('*' for either). */
static int remote_open_permitted(const char *list, const char *host, unsigned port)
{
	char word[300];
	const char *p = list;

	if (list == NULL)
		return 1;
	while (*p != '\0') {
		size_t n = strcspn(p, " \t");
		char *colon, *h;

		if (n > 0 && n < sizeof(word)) {
			memcpy(word, p, n);
			word[n] = '\0';
			if (strcasecmp(word, "any") == 0)
				return 1;
			colon = strrchr(word, ':');
			h = word;
			if (colon != NULL) {
				*colon = '\0';
				if (h[0] == '[' && colon > h + 1 && colon[-1] == ']') {
					h++;
					colon[-1] = '\0';
				}
				if ((strcmp(h, "*") == 0 || strcasecmp(h, host) == 0) &&
				    (strcmp(colon + 1, "*") == 0 ||
				     strtoul(colon + 1, NULL, 10) == port))
					return 1;
			}
		}
		p += n;
		p += strspn(p, " \t");
	}
	return 0;
}

static int din_data(struct chan *ch, uint32_t ext, const uint8_t *p, size_t n)
{
	struct dyn_in *d = chan_ctx(ch);
	struct buf out;
	size_t used = 0;
	int r;

	if (ext != 0 || d == NULL) {
		chan_consumed(ch, n);
		return 0;
	}
	if (buf_len(&d->in) + n > DYN_MAX_EARLY || buf_put(&d->in, p, n) != 0) {
		chan_close(ch);
		return 0;
	}
	if (d->done)
		return 0; /* early data: passed on once connected */
	buf_init(&out);
	r = fwd_socks_input(&d->socks, buf_ptr(&d->in), buf_len(&d->in), &used, &out);
	if (din_send(d, &out) != 0 && r >= 0)
		r = ERR_WINDOW;
	buf_free(&out);
	if (r < 0) {
		log_verbose("remote dynamic forward: bad SOCKS request (%s)", err_str(r));
		chan_close(ch);
		return 0;
	}
	buf_consume(&d->in, used);
	chan_consumed(ch, used);
	if (r != FWD_SOCKS_DONE)
		return 0;
	d->done = 1;
	log_debug("remote dynamic forward: SOCKS%d request from %s for %s port %u",
		  d->socks.version, d->origin, d->socks.host, (unsigned)d->socks.port);
	if (!remote_open_permitted(d->fc->permit_remote_open, d->socks.host, d->socks.port)) {
		/* ssh's wording for a target PermitRemoteOpen does not list. */
		log_info("Received request from %s to connect to host %s port %u, but the request "
			 "was denied.", d->origin, d->socks.host, (unsigned)d->socks.port);
		din_fail(d, SOCKS5_NOT_ALLOWED);
		return 0;
	}
	if (d->fc->dns == NULL && net_dns_new(d->fc->base, &d->fc->dns) != 0) {
		din_fail(d, SOCKS5_GENERAL_FAILURE);
		return 0;
	}
	if (net_connect_start(d->fc->base, d->fc->dns, d->socks.host, d->socks.port, AF_UNSPEC, 0,
			      din_connected, d, &d->nc) != 0)
		din_fail(d, SOCKS5_GENERAL_FAILURE);
	return 0;
}

static void din_eof(struct chan *ch)
{
	/* A SOCKS client does not half-close before its answer. */
	chan_close(ch);
}

static int din_request(struct chan *ch, const char *type, int want_reply, struct rd *args)
{
	(void)ch;
	(void)type;
	(void)want_reply;
	(void)args;
	return -1;
}

static void din_closed(struct chan *ch)
{
	struct dyn_in *d = chan_ctx(ch);

	if (d != NULL)
		din_free(d);
}

static const struct chan_ops din_ops = {
	.data = din_data,
	.eof = din_eof,
	.request = din_request,
	.closed = din_closed,
};

int fwd_dynamic_remote_open(struct fwd_client *fc, struct chan *ch, const char *orig,
			    uint32_t oport)
{
	struct dyn_in *d;

	if ((d = calloc(1, sizeof(*d))) == NULL)
		return ERR_ALLOC;
	d->fc = fc;
	d->ch = ch;
	buf_init(&d->in);
	fwd_socks_init(&d->socks);
	snprintf(d->origin, sizeof(d->origin), "%s port %u", orig, (unsigned)oport);
	if (chan_accept(ch, &din_ops, d) != 0) {
		buf_free(&d->in);
		free(d);
		return ERR_PROTOCOL;
	}
	fc->active++;
	fc->flush(fc->flush_arg);
	return 0;
}
