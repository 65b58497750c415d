/* Server side of -R: tcpip-forward / streamlocal-forward listeners and forwarded-tcpip opens. */
#include "fwd/fwd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "chanio/chanio.h"
#include "net/listener.h"
#include "net/tcp.h"
#include "policy/policy.h"
#include "util/err.h"
#include "util/log.h"

#define RL_MAX_FDS 8

struct fwd_rlistener {
	struct fwd_rlistener *next;
	struct fwd_server *fs;
	char *req_host;            /* bind address as the client asked (or the socket path) */
	uint32_t req_port;         /* as asked; 0 = allocate */
	uint32_t port;             /* as bound */
	int streamlocal;
	struct net_listener *nl[RL_MAX_FDS];
	int n;
	char target[320];          /* as bound, for the audit line */
	struct timespec since;     /* when it was bound (SIGUSR1 dump) */
	uint64_t accepted;         /* connections accepted so far */
};

/* One connection accepted on a -R listener. */
struct fwd_rconn {
	struct fwd_server *fs;
	struct chanio *cio;
	const char *kind;
	char target[320];
	char originator[96];
	struct timespec start;
	int opened;
	char error[160];
	struct fwd_srv_chan lc;    /* on fs->chans while it exists (SIGUSR1 dump) */
};

static double since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

static void rconn_open_result(void *arg, int ok, uint32_t reason, const char *msg)
{
	struct fwd_rconn *rc = arg;

	if (ok) {
		rc->opened = 1;
		chanio_start(rc->cio);
		return;
	}
	snprintf(rc->error, sizeof(rc->error), "%s: %s", fwd_reason_text(reason),
		 msg != NULL ? msg : "");
}

static void rconn_drained(void *arg)
{
	struct fwd_rconn *rc = arg;

	chanio_close(rc->cio);
}

static void rconn_closed(void *arg)
{
	struct fwd_rconn *rc = arg;
	char detail[200];

	if (rc->opened) {
		/* bytes_out went from the originator to the SSH client. */
		fwd_log_audit(rc->fs, rc->kind, rc->originator, rc->target,
			      chanio_bytes_out(rc->cio), chanio_bytes_in(rc->cio), since(&rc->start),
			      "closed", NULL);
	} else {
		snprintf(detail, sizeof(detail), " error=\"%s\"", rc->error);
		fwd_log_audit(rc->fs, rc->kind, rc->originator, rc->target, 0, 0, since(&rc->start),
			      "failed", detail);
	}
	fwd_srv_chan_unlink(rc->fs, &rc->lc);
	free(rc);
}

static const struct chanio_hooks rconn_hooks = {
	.open_result = rconn_open_result,
	.drained = rconn_drained,
	.closed = rconn_closed,
};

static void on_accept(void *arg, int fd)
{
	struct fwd_rlistener *l = arg;
	struct fwd_server *fs = l->fs;
	struct fwd_rconn *rc;
	struct chan *ch = NULL;
	struct buf extra;
	char addr[64] = "127.0.0.1";
	int oport = 0, r;

	if ((rc = calloc(1, sizeof(*rc))) == NULL) {
		close(fd);
		return;
	}
	rc->fs = fs;
	rc->kind = l->streamlocal ? "forwarded-streamlocal" : "forwarded-tcpip";
	clock_gettime(CLOCK_MONOTONIC, &rc->start);
	snprintf(rc->target, sizeof(rc->target), "%s", l->target);
	if (!l->streamlocal) {
		char laddr[64];
		int lport;

		net_sockaddr_str(fd, 0, addr, sizeof(addr), &oport);
		/* The address this connection really arrived on (a listener may have several). */
		if (net_sockaddr_str(fd, 1, laddr, sizeof(laddr), &lport) == 0)
			fwd_host_port(rc->target, sizeof(rc->target), laddr, (unsigned)lport);
	}
	if (l->streamlocal)
		snprintf(rc->originator, sizeof(rc->originator), "-");
	else
		fwd_host_port(rc->originator, sizeof(rc->originator), addr, (unsigned)oport);
	if (chanio_new(fs->base, &rconn_hooks, rc, fs->flush, fs->flush_arg, &rc->cio) != 0) {
		close(fd);
		free(rc);
		return;
	}
	/* Listed from here on; the closed hook (also run by chanio_abort) unlinks it. */
	rc->lc.kind = rc->kind;
	rc->lc.originator = rc->originator;
	rc->lc.target = rc->target;
	rc->lc.start = &rc->start;
	rc->lc.cio = rc->cio;
	rc->lc.sent_is_out = 1;
	fwd_srv_chan_link(fs, &rc->lc);
	l->accepted++;
	if (chanio_add_socket(rc->cio, fd) != 0) {
		close(fd);
		chanio_abort(rc->cio);
		return;
	}
	buf_init(&extra);
	if (l->streamlocal) {
		/* OpenSSH PROTOCOL 2.4: socket path, reserved string. */
		r = buf_put_cstring(&extra, l->req_host);
		if (r == 0)
			r = buf_put_cstring(&extra, "");
	} else {
		/* RFC 4254 7.2: address that was connected, port, originator address, port. */
		r = buf_put_cstring(&extra, l->req_host);
		if (r == 0)
			r = buf_put_u32(&extra, l->port);
		if (r == 0)
			r = buf_put_cstring(&extra, addr);
		if (r == 0)
			r = buf_put_u32(&extra, (uint32_t)oport);
	}
	if (r == 0)
		r = chan_open(fs->conn, l->streamlocal ? "forwarded-streamlocal@openssh.com"
						       : "forwarded-tcpip",
			      buf_ptr(&extra), buf_len(&extra), chanio_chan_ops(), rc->cio, &ch);
	buf_free(&extra);
	if (r != 0) {
		snprintf(rc->error, sizeof(rc->error), "%s", err_str(r));
		chanio_abort(rc->cio);
		return;
	}
	chanio_set_channel(rc->cio, ch);
	fs->flush(fs->flush_arg);
}

static void rlistener_free(struct fwd_rlistener *l)
{
	for (int i = 0; i < l->n; i++)
		net_listener_free(l->nl[i]);
	if (l->streamlocal && l->req_host != NULL)
		unlink(l->req_host);
	free(l->req_host);
	free(l);
}

/* Bind TCP listeners; a requested port 0 allocates one port shared by every address. */
static int bind_tcp(struct fwd_rlistener *l, const char *where)
{
	int fds[RL_MAX_FDS], n = 0, more = 0, port = (int)l->req_port;
	char err[256], addr[64];

	if (net_listen_tcp(where, port, AF_UNSPEC, fds, port == 0 ? 1 : RL_MAX_FDS, &n, err,
			   sizeof(err)) != 0) {
		log_verbose("tcpip-forward: %s", err);
		return ERR_SYSTEM;
	}
	if (port == 0 && net_sockaddr_str(fds[0], 1, addr, sizeof(addr), &port) == 0 &&
	    net_listen_tcp(where, port, AF_UNSPEC, fds + 1, RL_MAX_FDS - 1, &more, err,
			   sizeof(err)) == 0)
		n += more;
	l->port = (uint32_t)port;
	for (int i = 0; i < n; i++) {
		if (net_listener_new(l->fs->base, fds[i], on_accept, l, &l->nl[l->n]) != 0)
			close(fds[i]);
		else
			l->n++;
	}
	if (l->n == 0)
		return ERR_SYSTEM;
	if (net_sockaddr_str(net_listener_fd(l->nl[0]), 1, addr, sizeof(addr), &port) == 0)
		fwd_host_port(l->target, sizeof(l->target), addr, (unsigned)port);
	return 0;
}

static int listen_tcp(struct fwd_server *fs, struct rd *args, struct buf *reply)
{
	struct policy_decision d;
	struct fwd_rlistener *l;
	const char *where;
	char *host = NULL, shown[320];
	uint32_t port;
	int r;

	if ((r = rd_cstring(args, &host)) != 0 || (r = rd_u32(args, &port)) != 0 ||
	    (r = rd_end(args)) != 0) {
		free(host);
		return ERR_FORMAT;
	}
	fwd_host_port(shown, sizeof(shown), host, port);
	policy_check_listen(fs->eff, fs->key, host, port, fs->uid, &d);
	if (!d.allowed) {
		fwd_log_refusal(fs, "tcpip-forward", shown, d.rule);
		free(host);
		return ERR_PERMISSION;
	}
	if ((l = calloc(1, sizeof(*l))) == NULL) {
		free(host);
		return ERR_ALLOC;
	}
	l->fs = fs;
	clock_gettime(CLOCK_MONOTONIC, &l->since);
	l->req_host = host;
	l->req_port = port;
	policy_listen_address(fs->eff, host, &where);
	if ((r = bind_tcp(l, where)) != 0) {
		log_info("tcpip-forward: cannot listen on %s for %s", shown, fs->user);
		rlistener_free(l);
		return r;
	}
	if (port == 0 && (r = buf_put_u32(reply, l->port)) != 0) {
		rlistener_free(l);
		return r;
	}
	log_verbose("Remote forwarding listening on %s for %s", l->target, fs->user);
	l->next = fs->rlisteners;
	fs->rlisteners = l;
	return 0;
}

static int listen_streamlocal(struct fwd_server *fs, struct rd *args)
{
	struct policy_decision d;
	struct fwd_rlistener *l;
	char *path = NULL, err[256];
	int fd, r;

	if ((r = rd_cstring(args, &path)) != 0 || (r = rd_end(args)) != 0) {
		free(path);
		return ERR_FORMAT;
	}
	policy_check_streamlocal(fs->eff, fs->key, 1, &d);
	if (!d.allowed) {
		fwd_log_refusal(fs, "streamlocal-forward", path, d.rule);
		free(path);
		return ERR_PERMISSION;
	}
	if ((l = calloc(1, sizeof(*l))) == NULL) {
		free(path);
		return ERR_ALLOC;
	}
	l->fs = fs;
	clock_gettime(CLOCK_MONOTONIC, &l->since);
	l->streamlocal = 1;
	snprintf(l->target, sizeof(l->target), "%s", path);
	if (net_listen_unix(path, &fd, err, sizeof(err)) != 0) {
		log_info("streamlocal-forward: %s", err);
		free(path);
		free(l);
		return ERR_SYSTEM;
	}
	l->req_host = path;
	if ((r = net_listener_new(fs->base, fd, on_accept, l, &l->nl[0])) != 0) {
		close(fd);
		rlistener_free(l);
		return r;
	}
	l->n = 1;
	l->next = fs->rlisteners;
	fs->rlisteners = l;
	return 0;
}

static int cancel(struct fwd_server *fs, struct rd *args, int streamlocal)
{
	char *host = NULL;
	uint32_t port = 0;
	int r;

	r = rd_cstring(args, &host);
	if (r == 0 && !streamlocal)
		r = rd_u32(args, &port);
	if (r == 0)
		r = rd_end(args);
	if (r != 0) {
		free(host);
		return ERR_FORMAT;
	}
	for (struct fwd_rlistener **pp = &fs->rlisteners; *pp != NULL; pp = &(*pp)->next) {
		struct fwd_rlistener *l = *pp;

		if (l->streamlocal == streamlocal && strcmp(l->req_host, host) == 0 &&
		    (streamlocal || port == l->port || port == l->req_port)) {
			*pp = l->next;
			log_verbose("Cancelled remote forwarding %s", l->target);
			rlistener_free(l);
			free(host);
			return 0;
		}
	}
	free(host);
	return ERR_NOT_FOUND;
}

int fwd_server_global(struct fwd_server *fs, const char *name, int want_reply, struct rd *args,
		      struct buf *reply_extra)
{
	(void)want_reply;
	if (strcmp(name, "tcpip-forward") == 0)
		return listen_tcp(fs, args, reply_extra);
	if (strcmp(name, "cancel-tcpip-forward") == 0)
		return cancel(fs, args, 0);
	if (strcmp(name, "streamlocal-forward@openssh.com") == 0)
		return listen_streamlocal(fs, args);
	if (strcmp(name, "cancel-streamlocal-forward@openssh.com") == 0)
		return cancel(fs, args, 1);
	return ERR_UNSUPPORTED;
}

void fwd_server_close_listeners(struct fwd_server *fs)
{
	while (fs->rlisteners != NULL) {
		struct fwd_rlistener *l = fs->rlisteners;

		fs->rlisteners = l->next;
		rlistener_free(l);
	}
}

void fwd_server_dump_listeners(const struct fwd_server *fs)
{
	for (const struct fwd_rlistener *l = fs->rlisteners; l != NULL; l = l->next)
		log_info("dump: listener %s user=%s client=%s listen=%s accepted=%llu age=%.1fs",
			 l->streamlocal ? "streamlocal-forward" : "tcpip-forward", fs->user,
			 fs->client, l->target, (unsigned long long)l->accepted, since(&l->since));
}
