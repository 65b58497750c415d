/*
 * ssh-probe MODE HOST PORT: a hostile or sanity client for the system tests.
 * Completes a key exchange as a client (any host key accepted), then:
 *   kex-only              SERVICE_REQUEST "ssh-userauth", expect SERVICE_ACCEPT
 *   preauth-channel-open  CHANNEL_OPEN "session" without authenticating
 *   corrupt-mac           SERVICE_REQUEST with one byte of its tag flipped
 * and prints one line: "DISCONNECT <code> <message>", "EOF", "MSG <n>" or
 * "TIMEOUT" (10 s). Exit 0, or 2 if it could not connect or the KEX failed.
 */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "transport/tp_test.h"
#include "transport/transport.h"
#include "util/err.h"
#include "util/log.h"
#include "wire/buf.h"

#define PROBE_TIMEOUT_MS 10000

static int accept_any(void *arg, const struct key *hostkey)
{
	(void)arg;
	(void)hostkey;
	return 0;
}

static int connect_to(const char *host, const char *port)
{
	struct addrinfo hints, *res, *ai;
	int fd = -1, r;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((r = getaddrinfo(host, port, &hints, &res)) != 0) {
		fprintf(stderr, "ssh-probe: %s: %s\n", host, gai_strerror(r));
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if ((fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol)) < 0)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		close(fd);
		fd = -1;
	}
	if (fd < 0)
		fprintf(stderr, "ssh-probe: connect to %s port %s: %s\n", host, port,
			strerror(errno));
	freeaddrinfo(res);
	return fd;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Write all of the transport's output; -1 if the peer is gone. */
static int flush_out(int fd, struct tp *t)
{
	struct buf *out = tp_outbuf(t);

	while (buf_len(out) > 0) {
		ssize_t n = send(fd, buf_ptr(out), buf_len(out), MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf_consume(out, (size_t)n);
	}
	return 0;
}

/*
 * Read once (waiting until the deadline) and feed the transport.
 * Returns 0, 1 on timeout, or the transport's error (ERR_EOF on close).
 */
static int read_some(int fd, struct tp *t, long long deadline)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	uint8_t buf[16384];
	long long left = deadline - now_ms();
	ssize_t n;
	int r;

	if (left <= 0)
		return 1;
	r = poll(&pfd, 1, (int)left);
	if (r < 0)
		return errno == EINTR ? 0 : ERR_SYSTEM;
	if (r == 0)
		return 1;
	n = recv(fd, buf, sizeof(buf), 0);
	if (n < 0 && errno == EINTR)
		return 0;
	if (n <= 0) {
		tp_input_eof(t);
		return ERR_EOF;
	}
	return tp_input(t, buf, (size_t)n);
}

/* Print the outcome line for a transport error. */
static void print_error(struct tp *t, int r)
{
	const char *e = tp_error(t), *prefix = "Received disconnect from peer: ";
	unsigned code;
	int off = 0;

	if (r == ERR_DISCONNECTED && strncmp(e, prefix, strlen(prefix)) == 0 &&
	    sscanf(e + strlen(prefix), "%u: %n", &code, &off) == 1 && off > 0)
		printf("DISCONNECT %u %s\n", code, e + strlen(prefix) + off);
	else if (r == ERR_DISCONNECTED)
		printf("DISCONNECT 0 %s\n", e);
	else
		printf("EOF\n");
}

static int send_service_request(struct tp *t)
{
	struct buf m;
	int r;

	buf_init(&m);
	if ((r = buf_put_u8(&m, SSH_MSG_SERVICE_REQUEST)) == 0 &&
	    (r = buf_put_cstring(&m, "ssh-userauth")) == 0)
		r = tp_sendb(t, &m);
	buf_free(&m);
	return r;
}

/* RFC 4254 5.1: byte 90, string type, uint32 sender, uint32 window, uint32 max packet */
static int send_channel_open(struct tp *t)
{
	struct buf m;
	int r;

	buf_init(&m);
	if ((r = buf_put_u8(&m, SSH_MSG_CHANNEL_OPEN)) == 0 &&
	    (r = buf_put_cstring(&m, "session")) == 0 && (r = buf_put_u32(&m, 0)) == 0 &&
	    (r = buf_put_u32(&m, 2097152)) == 0 && (r = buf_put_u32(&m, 32768)) == 0)
		r = tp_send_raw(t, buf_ptr(&m), buf_len(&m));
	buf_free(&m);
	return r;
}

static int act(struct tp *t, const char *mode)
{
	struct buf *out = tp_outbuf(t);
	int r;

	if (strcmp(mode, "kex-only") == 0)
		return send_service_request(t);
	if (strcmp(mode, "preauth-channel-open") == 0)
		return send_channel_open(t);
	/* corrupt-mac: everything before is flushed, so the packet is the tail of out. */
	if ((r = send_service_request(t)) != 0)
		return r;
	if (buf_len(out) == 0)
		return ERR_BAD_STATE;
	buf_mutable_ptr(out)[buf_len(out) - 1] ^= 0x01;
	return 0;
}

int main(int argc, char **argv)
{
	struct tp_config cfg;
	struct tp *t = NULL;
	const uint8_t *pl;
	long long deadline;
	size_t len;
	int fd, r;

	if (argc != 4 || (strcmp(argv[1], "kex-only") != 0 &&
			  strcmp(argv[1], "preauth-channel-open") != 0 &&
			  strcmp(argv[1], "corrupt-mac") != 0)) {
		fprintf(stderr, "usage: ssh-probe kex-only|preauth-channel-open|corrupt-mac "
				"HOST PORT\n");
		return 2;
	}
	log_init("ssh-probe", getenv("SSH_PROBE_DEBUG") != NULL ? LOG_DEBUG3 : LOG_ERROR);
	if ((fd = connect_to(argv[2], argv[3])) < 0)
		return 2;
	memset(&cfg, 0, sizeof(cfg));
	cfg.check_hostkey = accept_any;
	cfg.software = "ssh-probe_0.1";
	if ((r = tp_new(&cfg, &t)) != 0 || (r = tp_start(t)) != 0) {
		fprintf(stderr, "ssh-probe: transport setup: %s\n", err_str(r));
		return 2;
	}
	deadline = now_ms() + PROBE_TIMEOUT_MS;
	while (!tp_ready(t)) {
		if (flush_out(fd, t) != 0)
			r = ERR_EOF;
		else
			r = read_some(fd, t, deadline);
		if (r == 0)
			r = tp_read_packet(t, &pl, &len) == ERR_AGAIN ? 0 : ERR_PROTOCOL;
		if (r != 0) {
			flush_out(fd, t);
			fprintf(stderr, "ssh-probe: key exchange failed: %s\n",
				r == 1 ? "timeout" : tp_error(t)[0] != '\0' ? tp_error(t) : err_str(r));
			return 2;
		}
	}
	if (flush_out(fd, t) != 0 || (r = act(t, argv[1])) != 0) {
		fprintf(stderr, "ssh-probe: cannot send the probe message\n");
		return 2;
	}
	flush_out(fd, t);
	deadline = now_ms() + PROBE_TIMEOUT_MS;
	for (;;) {
		r = tp_read_packet(t, &pl, &len);
		if (r == 0) {
			printf("MSG %u\n", pl[0]);
			break;
		}
		if (r == ERR_AGAIN) {
			flush_out(fd, t);
			r = read_some(fd, t, deadline);
			if (r == 1) {
				printf("TIMEOUT\n");
				break;
			}
			if (r == 0 || r == ERR_EOF)
				continue;
		}
		print_error(t, r);
		break;
	}
	fflush(stdout);
	tp_free(t);
	close(fd);
	return 0;
}
