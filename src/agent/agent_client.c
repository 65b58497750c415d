/*
 * ssh-agent protocol client (draft-miller-ssh-agent): each message is
 * uint32 length || byte type || contents. We speak only while the user
 * authenticates, so the I/O is blocking, bounded by poll() deadlines.
 */
#include "agent/agent.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "util/err.h"
#include "util/log.h"
#include "util/mem.h"
#include "wire/rd.h"

/* OpenSSH's agent refuses to list more; so do we. */
#define AGENT_MAX_KEYS 2048

struct agent {
	int fd;
	int timeout_ms;
};

const char *agent_socket_path(const char *identity_agent)
{
	const char *p = identity_agent;

	if (p != NULL && strcmp(p, "none") == 0)
		return NULL;
	if (p == NULL || strcmp(p, "SSH_AUTH_SOCK") == 0 || strcmp(p, "$SSH_AUTH_SOCK") == 0)
		p = getenv("SSH_AUTH_SOCK");
	else if (p[0] == '$')
		p = getenv(p + 1); /* ssh_config(5): IdentityAgent $NAME names a variable */
	return p != NULL && *p != '\0' ? p : NULL;
}

int agent_socket_connect(const char *path, int *fd)
{
	struct sockaddr_un sun;
	int s;

	if (path == NULL || strlen(path) >= sizeof(sun.sun_path))
		return ERR_INVALID_ARG;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, strlen(path));
	if ((s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return ERR_SYSTEM;
	if (connect(s, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		int e = errno;

		close(s);
		errno = e;
		return e == ENOENT || e == ECONNREFUSED ? ERR_NOT_FOUND : ERR_SYSTEM;
	}
	*fd = s;
	return 0;
}

int agent_open_fd(int fd, int timeout_ms, struct agent **out)
{
	struct agent *a;

	if (fd < 0)
		return ERR_INVALID_ARG;
	if ((a = calloc(1, sizeof(*a))) == NULL) {
		close(fd);
		return ERR_ALLOC;
	}
	a->fd = fd;
	a->timeout_ms = timeout_ms > 0 ? timeout_ms : AGENT_DEFAULT_TIMEOUT_MS;
	*out = a;
	return 0;
}

int agent_open(const char *path, int timeout_ms, struct agent **out)
{
	int fd, r;

	if ((r = agent_socket_connect(path, &fd)) != 0)
		return r;
	return agent_open_fd(fd, timeout_ms, out);
}

void agent_close(struct agent *a)
{
	if (a == NULL)
		return;
	close(a->fd);
	free(a);
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait for events on the agent socket until the deadline. */
static int wait_fd(const struct agent *a, short events, int64_t deadline)
{
	struct pollfd pfd = { .fd = a->fd, .events = events };
	int64_t left;
	int r;

	for (;;) {
		if ((left = deadline - now_ms()) <= 0) {
			log_debug("agent: no answer within %d ms", a->timeout_ms);
			return ERR_AGAIN;
		}
		r = poll(&pfd, 1, left > 60000 ? 60000 : (int)left);
		if (r > 0)
			return 0;
		if (r < 0 && errno != EINTR)
			return ERR_SYSTEM;
	}
}

static int write_all(const struct agent *a, const uint8_t *p, size_t n, int64_t deadline)
{
	while (n > 0) {
		ssize_t w;
		int r;

		if ((r = wait_fd(a, POLLOUT, deadline)) != 0)
			return r;
		w = send(a->fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0) {
			if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
				continue;
			return errno == EPIPE || errno == ECONNRESET ? ERR_EOF : ERR_SYSTEM;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int read_all(const struct agent *a, uint8_t *p, size_t n, int64_t deadline)
{
	while (n > 0) {
		ssize_t got;
		int r;

		if ((r = wait_fd(a, POLLIN, deadline)) != 0)
			return r;
		got = recv(a->fd, p, n, MSG_DONTWAIT);
		if (got == 0)
			return ERR_EOF;
		if (got < 0) {
			if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
				continue;
			return ERR_SYSTEM;
		}
		p += got;
		n -= (size_t)got;
	}
	return 0;
}

/* Send one request (type byte first, without length) and read one answer into ans. */
static int exchange(struct agent *a, const struct buf *req, struct buf *ans)
{
	int64_t deadline = now_ms() + a->timeout_ms;
	uint8_t len[4], *p;
	uint32_t n;
	int r;

	if (buf_len(req) == 0 || buf_len(req) > AGENT_MAX_MSG)
		return ERR_TOO_LARGE;
	put_u32be(len, (uint32_t)buf_len(req));
	if ((r = write_all(a, len, 4, deadline)) != 0 ||
	    (r = write_all(a, buf_ptr(req), buf_len(req), deadline)) != 0 ||
	    (r = read_all(a, len, 4, deadline)) != 0)
		return r;
	n = get_u32be(len);
	if (n == 0 || n > AGENT_MAX_MSG)
		return ERR_TOO_LARGE;
	buf_reset(ans);
	if ((r = buf_reserve(ans, n, &p)) != 0)
		return r;
	return read_all(a, p, n, deadline);
}

void agent_identities_free(struct agent_identity *ids, size_t n)
{
	if (ids == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		key_free(ids[i].key);
		free(ids[i].comment);
	}
	free(ids);
}

/* uint32 nkeys, then nkeys times: string key blob, string comment. */
int agent_parse_identities(const uint8_t *p, size_t n, struct agent_identity **ids,
			   size_t *count)
{
	struct agent_identity *v = NULL;
	struct rd r;
	uint32_t nkeys;
	size_t got = 0;
	int e;

	rd_init(&r, p, n);
	if ((e = rd_u32(&r, &nkeys)) != 0)
		return e;
	if (nkeys > AGENT_MAX_KEYS)
		return ERR_TOO_LARGE;
	if (nkeys > 0 && (v = calloc(nkeys, sizeof(*v))) == NULL)
		return ERR_ALLOC;
	for (uint32_t i = 0; i < nkeys; i++) {
		const uint8_t *blob;
		size_t blob_len;
		char *comment = NULL;
		struct key *k = NULL;

		if ((e = rd_string(&r, &blob, &blob_len)) != 0 ||
		    (e = rd_cstring(&r, &comment)) != 0)
			goto out;
		if ((e = key_from_blob(blob, blob_len, &k)) != 0) {
			if (e == ERR_ALLOC) {
				free(comment);
				goto out;
			}
			log_debug("agent: skipping key \"%s\": %s", comment, err_str(e));
			free(comment);
			continue;
		}
		v[got].key = k;
		v[got].comment = comment;
		got++;
	}
	if ((e = rd_end(&r)) != 0)
		goto out;
	*ids = v;
	*count = got;
	v = NULL;
out:
	agent_identities_free(v, got);
	return e;
}

int agent_list(struct agent *a, struct agent_identity **ids, size_t *n)
{
	struct buf req, ans;
	int r;

	buf_init(&req);
	buf_init(&ans);
	if ((r = buf_put_u8(&req, SSH_AGENTC_REQUEST_IDENTITIES)) != 0 ||
	    (r = exchange(a, &req, &ans)) != 0)
		goto out;
	if (buf_ptr(&ans)[0] != SSH_AGENT_IDENTITIES_ANSWER) {
		log_debug("agent: unexpected answer %u to REQUEST_IDENTITIES", buf_ptr(&ans)[0]);
		r = buf_ptr(&ans)[0] == SSH_AGENT_FAILURE ? ERR_PERMISSION : ERR_PROTOCOL;
		goto out;
	}
	r = agent_parse_identities(buf_ptr(&ans) + 1, buf_len(&ans) - 1, ids, n);
out:
	buf_free(&req);
	buf_free(&ans);
	return r;
}

uint32_t agent_sign_flags(const char *alg)
{
	/* draft-miller-ssh-agent section 5.3; the cert forms take the same flags. */
	if (alg == NULL)
		return 0;
	if (strcmp(alg, "rsa-sha2-256") == 0 ||
	    strcmp(alg, "rsa-sha2-256-cert-v01@openssh.com") == 0)
		return SSH_AGENT_RSA_SHA2_256;
	if (strcmp(alg, "rsa-sha2-512") == 0 ||
	    strcmp(alg, "rsa-sha2-512-cert-v01@openssh.com") == 0)
		return SSH_AGENT_RSA_SHA2_512;
	return 0;
}

int agent_encode_sign_request(const struct key *k, const char *alg, const uint8_t *data,
			      size_t n, struct buf *out)
{
	struct buf blob;
	int r;

	buf_init(&blob);
	if ((r = key_to_blob(k, &blob)) == 0 &&
	    (r = buf_put_u8(out, SSH_AGENTC_SIGN_REQUEST)) == 0 &&
	    (r = buf_put_stringb(out, &blob)) == 0 && (r = buf_put_string(out, data, n)) == 0)
		r = buf_put_u32(out, agent_sign_flags(alg));
	buf_free(&blob);
	return r;
}

/* The plain signature algorithm a (possibly certificate) algorithm name signs with. */
static size_t plain_alg_len(const char *alg)
{
	const char *c = strstr(alg, "-cert-v01@openssh.com");

	return c != NULL && c[strlen("-cert-v01@openssh.com")] == '\0' ? (size_t)(c - alg)
								      : strlen(alg);
}

/* string signature, whose contents are string alg || string sig (RFC 4253 section 6.6). */
int agent_parse_sign_response(const uint8_t *p, size_t n, const char *alg, struct buf *sig)
{
	const uint8_t *blob, *name;
	size_t blob_len, name_len, want = plain_alg_len(alg);
	struct rd r, b;
	int e;

	rd_init(&r, p, n);
	if ((e = rd_string(&r, &blob, &blob_len)) != 0 || (e = rd_end(&r)) != 0)
		return e;
	rd_init(&b, blob, blob_len);
	if ((e = rd_string(&b, &name, &name_len)) != 0 || (e = rd_string(&b, NULL, NULL)) != 0 ||
	    (e = rd_end(&b)) != 0)
		return e;
	/* An old agent may ignore the SHA-2 flags and sign with ssh-rsa: refuse that. */
	if (name_len != want || memcmp(name, alg, want) != 0) {
		log_debug("agent: signature algorithm %.*s, wanted %.*s", (int)name_len, name,
			  (int)want, alg);
		return ERR_SIGNATURE;
	}
	return buf_put(sig, blob, blob_len);
}

int agent_sign(struct agent *a, const struct key *k, const char *alg, const uint8_t *data,
	       size_t n, struct buf *sig)
{
	struct buf req, ans;
	int r;

	buf_init(&req);
	buf_init(&ans);
	if ((r = agent_encode_sign_request(k, alg, data, n, &req)) != 0 ||
	    (r = exchange(a, &req, &ans)) != 0)
		goto out;
	switch (buf_ptr(&ans)[0]) {
	case SSH_AGENT_SIGN_RESPONSE:
		r = agent_parse_sign_response(buf_ptr(&ans) + 1, buf_len(&ans) - 1, alg, sig);
		break;
	case SSH_AGENT_FAILURE:
		log_debug("agent: refused to sign with %s", alg);
		r = ERR_PERMISSION;
		break;
	default:
		log_debug("agent: unexpected answer %u to SIGN_REQUEST", buf_ptr(&ans)[0]);
		r = ERR_PROTOCOL;
		break;
	}
out:
	buf_free(&req);
	buf_free(&ans);
	return r;
}
