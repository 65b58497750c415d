/* Client side of -R: ask the server to listen, then connect what it forwards to the target. */
#include "fwd/fwd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "chanio/chanio.h"
#include "net/connect.h"
#include "util/err.h"
#include "util/log.h"

/* One -R forward as requested and, once answered, as granted. */
struct fwd_remote {
	struct fwd_remote *next;
	struct fwd_client *fc;
	const struct fwd_spec *spec;
	const char *bind;      /* the address we sent (ssh: "localhost" when none given) */
	uint32_t port;         /* listening port on the server (allocated when spec said 0) */
	int granted;
	struct fwd_stat *st;   /* counters (NULL: none) */
};

/* One connection the server forwarded to us. */
struct fwd_incoming {
	struct fwd_client *fc;
	struct chan *ch;
	struct chanio *cio;
	struct net_connect *nc;
	struct fwd_stat *st;
	struct fwd_live lv;
};

static void request_answered(struct fwd_client *fc)
{
	if (--fc->remote_pending == 0 && fc->remote_done != NULL)
		fc->remote_done(fc->remote_done_arg, !fc->remote_failed);
}

static void on_reply(void *arg, int success, struct rd *args)
{
	struct fwd_remote *rf = arg;
	struct fwd_client *fc = rf->fc;
	const struct fwd_spec *s = rf->spec;
	uint32_t port;

	if (!success) {
		fprintf(stderr, "%s: remote port forwarding failed for listen port %d\r\n",
			fc->exit_on_failure ? "Error" : "Warning", s->listen_port);
		fc->remote_failed = 1;
		if (rf->st != NULL)
			snprintf(rf->st->last_error, sizeof(rf->st->last_error),
				 "remote port forwarding failed");
	} else {
		rf->granted = 1;
		if (s->listen_path == NULL && s->listen_port == 0 && rd_u32(args, &port) == 0) {
			rf->port = port;
			/* ssh's message; with -f also on stdout so scripts can read it. */
			/* A dynamic -R has no target: ssh prints "(null):0" then. */
			fprintf(stderr, "Allocated port %u for remote forward to %s:%d\r\n", port,
				s->connect_host != NULL ? s->connect_host
				: s->connect_path != NULL ? s->connect_path : "(null)",
				s->connect_port < 0 ? 0 : s->connect_port);
			if (fc->print_allocated_stdout) {
				printf("Allocated port %u for remote forward to %s:%d\n", port,
				       s->connect_host != NULL ? s->connect_host
				       : s->connect_path != NULL ? s->connect_path : "(null)",
				       s->connect_port < 0 ? 0 : s->connect_port);
				fflush(stdout);
			}
		}
		log_debug("remote forward success for: listen %s:%u", rf->bind, rf->port);
		if (rf->st != NULL && s->listen_path != NULL)
			snprintf(rf->st->listen, sizeof(rf->st->listen), "server %s", rf->bind);
		else if (rf->st != NULL)
			snprintf(rf->st->listen, sizeof(rf->st->listen), "server %s:%u",
				 rf->bind[0] != '\0' ? rf->bind : "*", rf->port);
	}
	request_answered(fc);
}

int fwd_remote_request(struct fwd_client *fc, const struct fwd_spec *spec)
{
	struct fwd_remote *rf;
	struct buf b;
	const char *name;
	int r;

	if (fc->conn == NULL)
		return ERR_EOF; /* Reconnect=yes: between connections */
	if ((rf = calloc(1, sizeof(*rf))) == NULL)
		return ERR_ALLOC;
	rf->fc = fc;
	rf->spec = spec;
	rf->st = fwd_stat_get(fc, 'R', spec);
	buf_init(&b);
	if (spec->listen_path != NULL) {
		name = "streamlocal-forward@openssh.com";
		rf->bind = spec->listen_path;
		r = buf_put_cstring(&b, spec->listen_path);
	} else {
		/* RFC 4254 7.1 bind semantics, chosen as ssh does. */
		name = "tcpip-forward";
		rf->bind = spec->listen_host == NULL ? "localhost"
			 : (spec->listen_host[0] == '\0' || strcmp(spec->listen_host, "*") == 0)
			   ? "" : spec->listen_host;
		rf->port = (uint32_t)spec->listen_port;
		r = buf_put_cstring(&b, rf->bind);
		if (r == 0)
			r = buf_put_u32(&b, rf->port);
	}
	if (r == 0)
		r = conn_send_global(fc->conn, name, 1, buf_ptr(&b), buf_len(&b), on_reply, rf);
	buf_free(&b);
	if (r != 0) {
		free(rf);
		return r;
	}
	fc->remote_pending++;
	rf->next = fc->remotes;
	fc->remotes = rf;
	fc->flush(fc->flush_arg);
	return 0;
}

static void in_drained(void *arg)
{
	struct fwd_incoming *in = arg;

	chanio_close(in->cio);
}

static void in_closed(void *arg)
{
	struct fwd_incoming *in = arg;
	struct fwd_client *fc = in->fc;

	if (in->st != NULL)
		fwd_stat_conn_end(in->st, &in->lv);
	free(in);
	if (fc->active > 0 && --fc->active == 0 && fc->idle != NULL)
		fc->idle(fc->idle_arg);
}

static const struct chanio_hooks incoming_hooks = {
	.drained = in_drained,
	.closed = in_closed,
};

/* The local target answered (or not): accept or refuse the server's open. */
static void target_connected(void *arg, int fd, int err, const char *msg)
{
	struct fwd_incoming *in = arg;
	struct fwd_client *fc = in->fc;

	(void)err;
	in->nc = NULL;
	if (fd < 0 || chanio_new(fc->base, &incoming_hooks, in, fc->flush, fc->flush_arg,
				 &in->cio) != 0) {
		log_info("connect_to: %s", msg != NULL ? msg : "out of memory");
		if (fd >= 0)
			close(fd);
		chan_reject(in->ch, SSH_OPEN_CONNECT_FAILED, msg != NULL ? msg : "out of memory");
		fc->flush(fc->flush_arg);
		if (in->st != NULL) {
			fwd_stat_conn_failed(in->st, msg != NULL ? msg : "out of memory");
			fwd_stat_conn_end(in->st, &in->lv);
		}
		free(in);
		return;
	}
	if (chanio_add_socket(in->cio, fd) != 0) {
		close(fd);
		free(in->cio);
		chan_reject(in->ch, SSH_OPEN_RESOURCE_SHORTAGE, "out of resources");
		fc->flush(fc->flush_arg);
		if (in->st != NULL) {
			fwd_stat_conn_failed(in->st, "out of resources");
			fwd_stat_conn_end(in->st, &in->lv);
		}
		free(in);
		return;
	}
	fc->active++;
	in->lv.cio = in->cio;
	chanio_set_channel(in->cio, in->ch);
	if (chan_accept(in->ch, chanio_chan_ops(), in->cio) != 0) {
		chanio_abort(in->cio);
		return;
	}
	chanio_start(in->cio);
	fc->flush(fc->flush_arg);
}

static struct fwd_remote *find_remote(struct fwd_client *fc, const char *addr, uint32_t port,
				      int streamlocal)
{
	for (struct fwd_remote *rf = fc->remotes; rf != NULL; rf = rf->next) {
		if (!rf->granted || (rf->spec->listen_path != NULL) != streamlocal)
			continue;
		if (streamlocal ? strcmp(rf->bind, addr) == 0 : rf->port == port)
			return rf;
	}
	return NULL;
}

int fwd_remote_open(struct fwd_client *fc, struct chan *ch, const char *type, struct rd *args,
		    uint32_t *reason, const char **msg)
{
	int streamlocal = strcmp(type, "forwarded-streamlocal@openssh.com") == 0;
	struct fwd_remote *rf;
	struct fwd_incoming *in;
	char *addr = NULL;
	uint32_t port = 0, oport = 0;
	const uint8_t *skip;
	size_t n;
	int r;

	/* RFC 4254 7.2 / PROTOCOL 2.4: connected address, port, originator, its port. */
	r = rd_cstring(args, &addr);
	if (r == 0 && !streamlocal)
		r = rd_u32(args, &port);
	if (r == 0)
		r = rd_string(args, &skip, &n);
	if (r == 0 && !streamlocal)
		r = rd_u32(args, &oport);
	if (r == 0)
		r = rd_end(args);
	rf = r == 0 ? find_remote(fc, addr, port, streamlocal) : NULL;
	if (rf == NULL) {
		/* Never connect anything the user did not ask to forward. */
		log_info("WARNING: Server requests forwarding for unknown listen_port %u", port);
		free(addr);
		*reason = SSH_OPEN_ADMINISTRATIVELY_PROHIBITED;
		*msg = "unknown forwarded connection";
		return -1;
	}
	free(addr);
	if (rf->spec->connect_host == NULL && rf->spec->connect_path == NULL) {
		/* -R without a target: we are the SOCKS server on this channel. */
		char *orig = strndup((const char *)skip, n);

		r = orig != NULL ? fwd_dynamic_remote_open(fc, ch, orig, oport) : ERR_ALLOC;
		free(orig);
		if (r != 0) {
			*reason = SSH_OPEN_RESOURCE_SHORTAGE;
			*msg = "out of memory";
			return -1;
		}
		return 0;
	}
	if ((in = calloc(1, sizeof(*in))) == NULL) {
		*reason = SSH_OPEN_RESOURCE_SHORTAGE;
		*msg = "out of memory";
		return -1;
	}
	in->fc = fc;
	in->ch = ch;
	if ((in->st = rf->st) != NULL)
		fwd_stat_conn_start(in->st, &in->lv);
	if (rf->spec->connect_path != NULL) {
		char err[256];
		int fd;

		if (net_connect_unix(rf->spec->connect_path, &fd, err, sizeof(err)) != 0)
			target_connected(in, -1, ERR_SYSTEM, err);
		else
			target_connected(in, fd, 0, NULL);
		return 0;
	}
	if (fc->dns == NULL && net_dns_new(fc->base, &fc->dns) != 0) {
		if (in->st != NULL)
			fwd_stat_conn_end(in->st, &in->lv);
		free(in);
		*reason = SSH_OPEN_RESOURCE_SHORTAGE;
		*msg = "no resolver";
		return -1;
	}
	if (net_connect_start(fc->base, fc->dns, rf->spec->connect_host, rf->spec->connect_port,
			      AF_UNSPEC, 0, target_connected, in, &in->nc) != 0) {
		if (in->st != NULL)
			fwd_stat_conn_end(in->st, &in->lv);
		free(in);
		*reason = SSH_OPEN_RESOURCE_SHORTAGE;
		*msg = "cannot start connect";
		return -1;
	}
	return 0;
}

static void on_cancel_reply(void *arg, int success, struct rd *args)
{
	(void)args;
	(void)arg;
	if (!success)
		log_info("remote forward cancel refused by the server");
}

/*
 * -O cancel -R: cancel-tcpip-forward (RFC 4254 7.1) or
 * cancel-streamlocal-forward@openssh.com (PROTOCOL 2.4) for granted forwards
 * on port (or path); returns how many were cancelled.
 */
int fwd_remote_cancel(struct fwd_client *fc, int port, const char *path)
{
	struct fwd_remote **pp = &fc->remotes;
	int n = 0;

	if (fc->conn == NULL)
		return 0;

	while (*pp != NULL) {
		struct fwd_remote *rf = *pp;
		int match = path != NULL ? rf->spec->listen_path != NULL &&
						   strcmp(rf->bind, path) == 0
					 : rf->spec->listen_path == NULL && port > 0 &&
						   rf->port == (uint32_t)port;
		struct buf b;
		int r;

		if (!match || !rf->granted) {
			pp = &rf->next;
			continue;
		}
		buf_init(&b);
		r = buf_put_cstring(&b, rf->bind);
		if (r == 0 && path == NULL)
			r = buf_put_u32(&b, rf->port);
		if (r == 0)
			r = conn_send_global(fc->conn, path != NULL ?
					     "cancel-streamlocal-forward@openssh.com" :
					     "cancel-tcpip-forward", 1, buf_ptr(&b), buf_len(&b),
					     on_cancel_reply, NULL);
		buf_free(&b);
		if (r != 0)
			return r;
		if (rf->st != NULL)
			rf->st->cancelled = 1;
		*pp = rf->next;
		free(rf);
		n++;
	}
	if (n > 0)
		fc->flush(fc->flush_arg);
	return n;
}

/*
 * Reconnect=yes: the old connection is gone (its pending replies with it);
 * ask the new one for every -R we had, in the order they were first asked.
 */
int fwd_remote_rerequest(struct fwd_client *fc)
{
	struct fwd_remote *old = fc->remotes, *rev = NULL, *next;
	int r = 0;

	fc->remotes = NULL;
	fc->remote_pending = 0;
	fc->remote_failed = 0;
	for (; old != NULL; old = next) {
		next = old->next;
		old->next = rev;
		rev = old;
	}
	for (; rev != NULL; rev = next) {
		next = rev->next;
		if (r == 0)
			r = fwd_remote_request(fc, rev->spec);
		free(rev);
	}
	return r;
}
