/* Server side of -L: direct-tcpip / direct-streamlocal opens, policy, connect, audit. */
#include "fwd/fwd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "chanio/chanio.h"
#include "net/connect.h"
#include "policy/policy.h"
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
	struct fwd_srv_chan lc;    /* on fs->chans while it exists (SIGUSR1 dump) */
};

void fwd_host_port(char *out, size_t outlen, const char *host, unsigned port)
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
void fwd_log_audit(const struct fwd_server *fs, const char *kind, const char *originator,
		   const char *target, uint64_t sent, uint64_t received, double seconds,
		   const char *outcome, const char *detail)
{
	log_info("audit: %s user=%s key=%s client=%s originator=%s target=%s sent=%llu "
		 "received=%llu duration=%.3fs outcome=%s%s",
		 kind, fs->user, fs->key_fp, fs->client, originator, target,
		 (unsigned long long)sent, (unsigned long long)received, seconds, outcome,
		 detail != NULL ? detail : "");
}

void fwd_log_refusal(const struct fwd_server *fs, const char *kind, const char *target,
		     const char *rule)
{
	log_info("refused: %s user=%s key=%s client=%s target=%s rule=\"%s\"", kind, fs->user,
		 fs->key_fp, fs->client, target, rule);
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
	fwd_log_audit(t->fs, t->kind, t->originator, t->target, chanio_bytes_in(t->cio),
		      chanio_bytes_out(t->cio), elapsed(&t->start), "closed", NULL);
	fwd_srv_chan_unlink(t->fs, &t->lc);
	free(t);
}

static const struct chanio_hooks target_hooks = {
	.drained = target_drained,
	.closed = target_closed,
};

static void fail_open(struct fwd_target *t, uint32_t reason, const char *msg)
{
	char detail[300];

	snprintf(detail, sizeof(detail), " error=\"%s\"", msg);
	fwd_log_audit(t->fs, t->kind, t->originator, t->target, 0, 0, elapsed(&t->start),
		      "failed", detail);
	chan_reject(t->ch, reason, msg);
	t->fs->flush(t->fs->flush_arg);
	fwd_srv_chan_unlink(t->fs, &t->lc);
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
		fail_open(t, SSH_OPEN_CONNECT_FAILED, msg);
		return;
	}
	if (chanio_new(fs->base, &target_hooks, t, fs->flush, fs->flush_arg, &t->cio) != 0 ||
	    chanio_add_socket(t->cio, fd) != 0) {
		free(t->cio); /* nothing bound to it yet */
		close(fd);
		fail_open(t, SSH_OPEN_RESOURCE_SHORTAGE, "out of resources");
		return;
	}
	chanio_set_channel(t->cio, t->ch);
	t->lc.cio = t->cio;
	if (chan_accept(t->ch, chanio_chan_ops(), t->cio) != 0) {
		chanio_abort(t->cio);
		return;
	}
	chanio_start(t->cio);
	fs->flush(fs->flush_arg);
}

/* RFC 4254 7.2: host to connect, port, originator address, originator port. */
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

/* OpenSSH PROTOCOL 2.4: socket path, reserved string, reserved uint32. */
static int parse_streamlocal(struct rd *args, char **path)
{
	const uint8_t *skip;
	size_t n;
	uint32_t reserved;
	int r;

	if ((r = rd_cstring(args, path)) != 0)
		return r;
	if ((r = rd_string(args, &skip, &n)) != 0 || (r = rd_u32(args, &reserved)) != 0 ||
	    (r = rd_end(args)) != 0) {
		free(*path);
		return r;
	}
	return 0;
}

static int open_streamlocal(struct fwd_target *t, struct rd *args, uint32_t *reason,
			    const char **msg)
{
	struct policy_decision d;
	char *path = NULL, err[256];
	int fd;

	t->kind = "direct-streamlocal";
	t->lc.kind = t->kind;
	snprintf(t->originator, sizeof(t->originator), "-");
	if (parse_streamlocal(args, &path) != 0) {
		*reason = SSH_OPEN_CONNECT_FAILED;
		*msg = "malformed request";
		return -1;
	}
	snprintf(t->target, sizeof(t->target), "%s", path);
	policy_check_streamlocal(t->fs->eff, t->fs->key, 0, &d);
	if (!d.allowed) {
		free(path);
		fwd_log_refusal(t->fs, t->kind, t->target, d.rule);
		*reason = SSH_OPEN_ADMINISTRATIVELY_PROHIBITED;
		*msg = "open failed";
		return -1;
	}
	if (net_connect_unix(path, &fd, err, sizeof(err)) != 0) {
		free(path);
		fail_open(t, SSH_OPEN_CONNECT_FAILED, err);
		return 0;
	}
	free(path);
	connected(t, fd, 0, NULL);
	return 0;
}

static int open_tcpip(struct fwd_target *t, struct rd *args, uint32_t *reason, const char **msg)
{
	struct policy_decision d;
	char *host = NULL, *orig = NULL, canon[256];
	uint32_t port = 0, orig_port = 0;
	int r;

	t->kind = "direct-tcpip";
	t->lc.kind = t->kind;
	if (parse_tcpip(args, &host, &port, &orig, &orig_port) != 0) {
		*reason = SSH_OPEN_CONNECT_FAILED;
		*msg = "malformed request";
		return -1;
	}
	fwd_host_port(t->originator, sizeof(t->originator), orig, orig_port);
	free(orig);
	/* Check and connect to one canonical spelling, so no alias slips past a rule. */
	if (policy_canon_host(host, canon, sizeof(canon)) != 0) {
		fwd_host_port(t->target, sizeof(t->target), host, port);
		free(host);
		fwd_log_refusal(t->fs, t->kind, t->target, "malformed host");
		*reason = SSH_OPEN_CONNECT_FAILED;
		*msg = "malformed host name";
		return -1;
	}
	free(host);
	fwd_host_port(t->target, sizeof(t->target), canon, port);
	policy_check_open(t->fs->eff, t->fs->key, canon, port, &d);
	if (!d.allowed) {
		fwd_log_refusal(t->fs, t->kind, t->target, d.rule);
		*reason = SSH_OPEN_ADMINISTRATIVELY_PROHIBITED;
		*msg = "open failed";
		return -1;
	}
	r = net_connect_start(t->fs->base, t->fs->dns, canon, (int)port, AF_UNSPEC, 0, connected, t,
			      &t->nc);
	if (r != 0) {
		*reason = SSH_OPEN_RESOURCE_SHORTAGE;
		*msg = "cannot start connect";
		return -1;
	}
	return 0;
}

int fwd_server_open(struct fwd_server *fs, struct chan *ch, const char *type, struct rd *args,
		    uint32_t *reason, const char **msg)
{
	struct fwd_target *t;
	int r;

	if ((t = calloc(1, sizeof(*t))) == NULL) {
		*reason = SSH_OPEN_RESOURCE_SHORTAGE;
		*msg = "out of memory";
		return -1;
	}
	t->fs = fs;
	t->ch = ch;
	clock_gettime(CLOCK_MONOTONIC, &t->start);
	t->lc.kind = type;
	t->lc.originator = t->originator;
	t->lc.target = t->target;
	t->lc.start = &t->start;
	fwd_srv_chan_link(fs, &t->lc);
	if (strcmp(type, "direct-streamlocal@openssh.com") == 0)
		r = open_streamlocal(t, args, reason, msg);
	else
		r = open_tcpip(t, args, reason, msg);
	if (r != 0) {
		fwd_srv_chan_unlink(fs, &t->lc);
		free(t);
	}
	return r;
}
