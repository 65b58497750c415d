/* Client side of forwarding: -L listeners and -W, each connection one direct channel. */
#include "fwd/fwd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "chanio/chanio.h"
#include "net/listener.h"
#include "net/tcp.h"
#include "util/err.h"
#include "util/log.h"
#include "wire/buf.h"

#define FWD_MAX_LISTEN_FDS 16

struct fwd_listener {
	struct fwd_listener *next;
	struct fwd_client *fc;
	struct net_listener *nl;
	const struct fwd_spec *spec;
	char *unix_path; /* removed when the listener closes */
	struct fwd_stat *st; /* counters (NULL: none) */
};

/* One forwarded connection. */
struct fwd_conn {
	struct fwd_client *fc;
	struct chanio *cio;
	void (*done)(void *arg, int ok);
	void *done_arg;
	int opened;
	struct fwd_stat *st; /* the -L forward's counters, or NULL */
	struct fwd_live lv;
};

const char *fwd_reason_text(uint32_t reason)
{
	switch (reason) {
	case SSH_OPEN_ADMINISTRATIVELY_PROHIBITED: return "administratively prohibited";
	case SSH_OPEN_CONNECT_FAILED: return "connect failed";
	case SSH_OPEN_UNKNOWN_CHANNEL_TYPE: return "unknown channel type";
	case SSH_OPEN_RESOURCE_SHORTAGE: return "resource shortage";
	default: return "unknown reason";
	}
}

static void conn_open_result(void *arg, int ok, uint32_t reason, const char *msg)
{
	struct fwd_conn *f = arg;
	struct chan *ch = chanio_channel(f->cio);

	if (ok) {
		f->opened = 1;
		chanio_start(f->cio);
		return;
	}
	if (f->st != NULL) {
		char why[160];

		snprintf(why, sizeof(why), "%s: %s", fwd_reason_text(reason),
			 msg != NULL ? msg : "");
		fwd_stat_conn_failed(f->st, why);
	}
	/* ssh's wording, so scripts and people see the server's real reason. */
	fprintf(stderr, "channel %u: open failed: %s: %s\r\n", ch != NULL ? chan_id(ch) : 0,
		fwd_reason_text(reason), msg != NULL ? msg : "");
}

static void conn_drained(void *arg)
{
	struct fwd_conn *f = arg;

	chanio_close(f->cio);
}

static void conn_closed(void *arg)
{
	struct fwd_conn *f = arg;
	struct fwd_client *fc = f->fc;

	if (f->done != NULL)
		f->done(f->done_arg, f->opened);
	if (f->st != NULL)
		fwd_stat_conn_end(f->st, &f->lv);
	free(f);
	if (fc->active > 0 && --fc->active == 0 && fc->idle != NULL)
		fc->idle(fc->idle_arg);
}

static const struct chanio_hooks fwd_conn_hooks = {
	.open_result = conn_open_result,
	.drained = conn_drained,
	.closed = conn_closed,
};

/*
 * Open a direct channel for one local connection. rfd == wfd for a socket.
 * The descriptors belong to the forwarded connection from here on.
 */
static int open_direct(struct fwd_client *fc, int rfd, int wfd, const struct fwd_spec *target,
		       const char *host, int port, const char *orig_addr, int orig_port,
		       void (*done)(void *, int), void *done_arg, struct fwd_stat *st)
{
	struct fwd_conn *f;
	struct chan *ch = NULL;
	struct buf extra;
	const char *type;
	int r;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return ERR_ALLOC;
	f->fc = fc;
	f->done = done;
	f->done_arg = done_arg;
	if ((r = chanio_new(fc->base, &fwd_conn_hooks, f, fc->flush, fc->flush_arg, &f->cio)) != 0) {
		free(f);
		return r;
	}
	if ((f->st = st) != NULL) {
		f->lv.cio = f->cio;
		fwd_stat_conn_start(st, &f->lv);
	}
	fc->active++;
	r = rfd == wfd ? chanio_add_socket(f->cio, rfd)
		       : (chanio_add_source(f->cio, rfd, 0) != 0 ? ERR_SYSTEM
								  : chanio_add_sink(f->cio, wfd, 0));
	if (r != 0) {
		chanio_abort(f->cio);
		return r;
	}
	buf_init(&extra);
	if (target != NULL && target->connect_path != NULL) {
		/* OpenSSH PROTOCOL 2.4: path, reserved string, reserved uint32. */
		type = "direct-streamlocal@openssh.com";
		r = buf_put_cstring(&extra, target->connect_path);
		if (r == 0)
			r = buf_put_cstring(&extra, "");
		if (r == 0)
			r = buf_put_u32(&extra, 0);
	} else {
		/* RFC 4254 7.2: host, port, originator address, originator port. */
		type = "direct-tcpip";
		r = buf_put_cstring(&extra, host);
		if (r == 0)
			r = buf_put_u32(&extra, (uint32_t)port);
		if (r == 0)
			r = buf_put_cstring(&extra, orig_addr);
		if (r == 0)
			r = buf_put_u32(&extra, (uint32_t)orig_port);
	}
	/* Reconnect=yes: no connection during an outage, the new connection is closed. */
	if (r == 0 && fc->conn == NULL)
		r = ERR_EOF;
	if (r == 0)
		r = chan_open(fc->conn, type, buf_ptr(&extra), buf_len(&extra), chanio_chan_ops(),
			      f->cio, &ch);
	buf_free(&extra);
	if (r != 0) {
		chanio_abort(f->cio);
		return r;
	}
	chanio_set_channel(f->cio, ch);
	log_debug("channel %u: new [%s]", chan_id(ch), type);
	fc->flush(fc->flush_arg);
	return 0;
}

static void on_accept(void *arg, int fd)
{
	struct fwd_listener *l = arg;
	const struct fwd_spec *s = l->spec;
	char addr[64] = "127.0.0.1";
	int port = 0;

	if (l->unix_path == NULL)
		net_sockaddr_str(fd, 0, addr, sizeof(addr), &port);
	log_debug("Connection to port %d forwarding to %s port %d requested.", s->listen_port,
		  s->connect_host != NULL ? s->connect_host : s->connect_path, s->connect_port);
	if (open_direct(l->fc, fd, fd, s, s->connect_host, s->connect_port, addr, port, NULL,
			NULL, l->st) != 0) {
		log_error("cannot forward connection: out of resources");
		close(fd);
	}
}

/* Every address a forward listens on, "127.0.0.1:8080 [::1]:8080". */
static void stat_add_listen(struct fwd_stat *st, int fd, const char *unix_path)
{
	char addr[64], one[80];
	size_t len = strlen(st->listen);
	int port = 0;

	if (unix_path != NULL)
		snprintf(one, sizeof(one), "%s", unix_path);
	else if (net_sockaddr_str(fd, 1, addr, sizeof(addr), &port) == 0)
		fwd_host_port(one, sizeof(one), addr, (unsigned)port);
	else
		return;
	snprintf(st->listen + len, sizeof(st->listen) - len, "%s%s", len > 0 ? " " : "", one);
}

static int add_listener(struct fwd_client *fc, const struct fwd_spec *spec, int fd,
			const char *unix_path)
{
	struct fwd_listener *l;
	int r;

	if ((l = calloc(1, sizeof(*l))) == NULL) {
		close(fd);
		return ERR_ALLOC;
	}
	l->fc = fc;
	l->spec = spec;
	if ((l->st = fwd_stat_get(fc, 'L', spec)) != NULL)
		stat_add_listen(l->st, fd, unix_path);
	if (unix_path != NULL && (l->unix_path = strdup(unix_path)) == NULL) {
		close(fd);
		free(l);
		return ERR_ALLOC;
	}
	if ((r = net_listener_new(fc->base, fd, on_accept, l, &l->nl)) != 0) {
		close(fd);
		free(l->unix_path);
		free(l);
		return r;
	}
	l->next = fc->listeners;
	fc->listeners = l;
	return 0;
}

int fwd_local_listen(struct fwd_client *fc, const struct fwd_spec *spec, int gateway_ports)
{
	int fds[FWD_MAX_LISTEN_FDS], n = 0, r;
	char err[256];
	const char *host = spec->listen_host;

	if (spec->listen_path != NULL) {
		int fd;

		if ((r = net_listen_unix(spec->listen_path, &fd, err, sizeof(err))) != 0) {
			fprintf(stderr, "%s\r\nCould not request local forwarding.\r\n", err);
			return r;
		}
		return add_listener(fc, spec, fd, spec->listen_path);
	}
	/* ssh(1) -L: loopback unless GatewayPorts; "*" or "" means every address. */
	if (host == NULL && gateway_ports)
		host = "";
	else if (host != NULL && strcmp(host, "*") == 0)
		host = "";
	else if (host != NULL && strcmp(host, "localhost") == 0)
		host = NULL; /* both loopbacks, whatever /etc/hosts says */
	if ((r = net_listen_tcp(host, spec->listen_port, AF_UNSPEC, fds, FWD_MAX_LISTEN_FDS, &n, err,
				sizeof(err))) != 0) {
		if (err[0] != '\0')
			fprintf(stderr, "%s\r\n", err);
		fprintf(stderr, "channel_setup_fwd_listener_tcpip: cannot listen to port: %d\r\n"
				"Could not request local forwarding.\r\n", spec->listen_port);
		return r;
	}
	for (int i = 0; i < n; i++)
		if ((r = add_listener(fc, spec, fds[i], NULL)) != 0)
			return r;
	log_debug("Local forwarding listening on %s port %d.",
		  host == NULL ? "localhost" : *host != '\0' ? host : "*", spec->listen_port);
	return 0;
}

static void listener_free(struct fwd_listener *l)
{
	net_listener_free(l->nl);
	if (l->unix_path != NULL)
		unlink(l->unix_path);
	free(l->unix_path);
	free(l);
}

void fwd_local_close_all(struct fwd_client *fc)
{
	while (fc->listeners != NULL) {
		struct fwd_listener *l = fc->listeners;

		fc->listeners = l->next;
		listener_free(l);
	}
}

static int cancel_matches(const struct fwd_spec *s, const char *bind, int port, const char *path)
{
	if (path != NULL)
		return s->listen_path != NULL && strcmp(s->listen_path, path) == 0;
	if (s->listen_path != NULL || s->listen_port != port)
		return 0;
	if (bind == NULL)
		return 1;
	if (s->listen_host == NULL)
		return strcasecmp(bind, "localhost") == 0;
	return strcasecmp(bind, s->listen_host) == 0 ||
	       (strcmp(bind, "*") == 0 && s->listen_host[0] == '\0');
}

int fwd_local_cancel(struct fwd_client *fc, const char *bind, int port, const char *path)
{
	struct fwd_listener **pp = &fc->listeners;
	int n = 0;

	while (*pp != NULL) {
		struct fwd_listener *l = *pp;

		if (cancel_matches(l->spec, bind, port, path)) {
			if (l->st != NULL)
				l->st->cancelled = 1;
			*pp = l->next;
			listener_free(l);
			n++;
		} else {
			pp = &l->next;
		}
	}
	return n;
}

int fwd_stdio_start(struct fwd_client *fc, int rfd, int wfd, const char *host, int port,
		    void (*done)(void *arg, int ok), void *arg)
{
	struct fwd_spec unix_target = { .connect_path = (char *)host, .connect_port = -1 };

	/* -W /path/to/socket (port -1) reaches a Unix socket on the server. */
	return open_direct(fc, rfd, wfd, port < 0 ? &unix_target : NULL, host, port, "127.0.0.1",
			   65535, done, arg, NULL);
}
