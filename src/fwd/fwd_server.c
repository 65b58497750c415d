/* Server side of forwarding: direct-tcpip / direct-streamlocal opens, connect, audit. */
#include "fwd/fwd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "chanio/chanio.h"
#include "net/connect.h"
#include "util/err.h"
#include "util/log.h"

/* One forwarded connection, from the open request to the audit line. */
struct fwd_target {
	struct fwd_server *fs;
	struct chan *ch;
	struct chanio *cio;
	struct net_connect *nc;
	const char *kind;          /* "direct-tcpip" or "direct-streamlocal" */
	char target[320];          /* "host:port", "[v6]:port" or a socket path */
	char originator[96];
	struct timespec start;
};

static void host_port(char *out, size_t outlen, const char *host, unsigned port)
{
	if (strchr(host, ':') != NULL)
		snprintf(out, outlen, "[%s]:%u", host, port);
	else
		snprintf(out, outlen, "%s:%u", host, port);
}

static double elapsed(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

/* The audit trail: one line per forwarded connection (design.md principle 8). */
static void audit(const struct fwd_target *t, uint64_t sent, uint64_t received,
		  const char *outcome, const char *detail)
{
	const struct fwd_server *fs = t->fs;

	log_info("audit: %s user=%s key=%s client=%s originator=%s target=%s sent=%llu "
		 "received=%llu duration=%.3fs outcome=%s%s",
		 t->kind, fs->user, fs->key_fp, fs->client, t->originator, t->target,
		 (unsigned long long)sent, (unsigned long long)received, elapsed(&t->start), outcome,
		 detail != NULL ? detail : "");
}

static void target_drained(void *arg)
{
	struct fwd_target *t = arg;

	chanio_close(t->cio);
}

static void target_closed(void *arg)
{
	struct fwd_target *t = arg;

	/* bytes_in came from the client and went to the target. */
	audit(t, chanio_bytes_in(t->cio), chanio_bytes_out(t->cio), "closed", NULL);
	free(t);
}

static const struct chanio_hooks target_hooks = {
	.drained = target_drained,
	.closed = target_closed,
};

static void refuse(struct fwd_target *t, uint32_t reason, const char *msg)
{
	char detail[300];

	snprintf(detail, sizeof(detail), " error=\"%s\"", msg);
	audit(t, 0, 0, "failed", detail);
	chan_reject(t->ch, reason, msg);
	t->fs->flush(t->fs->flush_arg);
	free(t);
}

static void connected(void *arg, int fd, int err, const char *msg)
{
	struct fwd_target *t = arg;
	struct fwd_server *fs = t->fs;

	(void)err;
	t->nc = NULL;
	if (fd < 0) {
		log_verbose("connect to %s failed: %s", t->target, msg);
		refuse(t, SSH_OPEN_CONNECT_FAILED, msg);
		return;
	}
	if (chanio_new(fs->base, &target_hooks, t, fs->flush, fs->flush_arg, &t->cio) != 0 ||
	    chanio_add_socket(t->cio, fd) != 0) {
		if (t->cio != NULL)
			free(t->cio); /* nothing bound to it yet */
		close(fd);
		refuse(t, SSH_OPEN_RESOURCE_SHORTAGE, "out of resources");
		return;
	}
	chanio_set_channel(t->cio, t->ch);
	if (chan_accept(t->ch, chanio_chan_ops(), t->cio) != 0) {
		chanio_abort(t->cio);
		return;
	}
	chanio_start(t->cio);
	fs->flush(fs->flush_arg);
}

static int parse_tcpip(struct rd *args, char **host, uint32_t *port, char **orig,
		       uint32_t *orig_port)
{
	int r;

	if ((r = rd_cstring(args, host)) != 0)
		return r;
	if ((r = rd_u32(args, port)) != 0 || (r = rd_cstring(args, orig)) != 0) {
		free(*host);
		return r;
	}
	if ((r = rd_u32(args, orig_port)) != 0 || (r = rd_end(args)) != 0) {
		free(*host);
		free(*orig);
		return r;
	}
	return 0;
}

int fwd_server_open(struct fwd_server *fs, struct chan *ch, const char *type, struct rd *args,
		    uint32_t *reason, const char **msg)
{
	struct fwd_target *t;
	char *host = NULL, *orig = NULL;
	uint32_t port = 0, orig_port = 0;
	int streamlocal = strcmp(type, "direct-streamlocal@openssh.com") == 0;
	int r;

	if ((t = calloc(1, sizeof(*t))) == NULL) {
		*reason = SSH_OPEN_RESOURCE_SHORTAGE;
		*msg = "out of memory";
		return -1;
	}
	t->fs = fs;
	t->ch = ch;
	t->kind = streamlocal ? "direct-streamlocal" : "direct-tcpip";
	clock_gettime(CLOCK_MONOTONIC, &t->start);
	if (streamlocal) {
		/* OpenSSH PROTOCOL 2.4: socket path, reserved string, reserved uint32. */
		const uint8_t *skip;
		size_t n;

		r = rd_cstring(args, &host);
		if (r == 0 && ((r = rd_string(args, &skip, &n)) != 0 ||
			       (r = rd_u32(args, &port)) != 0 || (r = rd_end(args)) != 0))
			free(host);
		port = 0;
		snprintf(t->originator, sizeof(t->originator), "-");
	} else {
		r = parse_tcpip(args, &host, &port, &orig, &orig_port);
	}
	if (r != 0) {
		free(t);
		*reason = SSH_OPEN_CONNECT_FAILED;
		*msg = "malformed request";
		return -1;
	}
	if (streamlocal)
		snprintf(t->target, sizeof(t->target), "%s", host);
	else {
		host_port(t->target, sizeof(t->target), host, port);
		host_port(t->originator, sizeof(t->originator), orig, orig_port);
	}
	free(orig);
	*reason = SSH_OPEN_ADMINISTRATIVELY_PROHIBITED;
	if (!streamlocal && port > 65535) {
		*msg = "invalid port";
		audit(t, 0, 0, "refused", " rule=\"port above 65535\"");
	} else if (!(streamlocal ? fs->allow_streamlocal : fs->allow_tcp)) {
		*msg = "administratively prohibited";
		audit(t, 0, 0, "refused", " rule=\"authorized_keys no-port-forwarding\"");
	} else if (streamlocal) {
		int fd;
		char err[256];

		if (net_connect_unix(host, &fd, err, sizeof(err)) != 0) {
			free(host);
			/* Answer after returning, like an asynchronous connect. */
			refuse(t, SSH_OPEN_CONNECT_FAILED, err);
			return 0;
		}
		free(host);
		connected(t, fd, 0, NULL);
		return 0;
	} else {
		r = net_connect_start(fs->base, fs->dns, host, (int)port, AF_UNSPEC, 0, connected, t,
				      &t->nc);
		free(host);
		host = NULL;
		if (r == 0)
			return 0;
		*reason = SSH_OPEN_RESOURCE_SHORTAGE;
		*msg = "cannot start connect";
	}
	free(host);
	free(t);
	return -1;
}
