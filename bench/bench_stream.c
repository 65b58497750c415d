/*
 * bench_stream: one TCP stream, source and sink, for `make bench`.
 *
 *   bench_stream sink [PORT]            listen on 127.0.0.1:PORT (0: any), print
 *                                       "port N", then serve connections one at a
 *                                       time: read to EOF, check every byte, answer
 *                                       "OK <bytes>\n" or "BAD <bytes> <offset>\n".
 *   bench_stream send PORT BYTES SECS   connect to 127.0.0.1:PORT, send BYTES (or
 *                                       for SECS seconds, whichever ends first),
 *                                       half-close, wait for the sink's answer and
 *                                       print "bytes=N seconds=T mbps=X result=OK".
 *
 * The data is a fixed pseudo-random pattern whose period (a prime just below
 * 1 MiB) matches no read or write size, so a lost, duplicated or reordered
 * chunk is caught by a memcmp: a broken tunnel cannot look fast, and checking
 * costs far less CPU than hashing (the CPU is shared with the tunnel).
 * The clock runs from connect() to the sink's answer, so every byte counted
 * has arrived.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PAT_LEN 1048573u /* prime */
#define IO_CHUNK (256u * 1024u)

static unsigned char *pat; /* the pattern, twice over, so any window is contiguous */

static void pat_init(void)
{
	uint64_t x = 0x9e3779b97f4a7c15ull;

	pat = malloc(2u * PAT_LEN);
	if (!pat) {
		perror("malloc");
		exit(2);
	}
	for (size_t i = 0; i < PAT_LEN; i++) {
		/* xorshift64: only needs to be cheap and fixed */
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		pat[i] = (unsigned char)(x >> 32);
	}
	memcpy(pat + PAT_LEN, pat, PAT_LEN);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int write_all(int fd, const void *p, size_t n)
{
	const unsigned char *c = p;

	while (n > 0) {
		ssize_t w = write(fd, c, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

static void serve_one(int fd, unsigned char *buf)
{
	unsigned long long off = 0, bad_at = 0;
	int bad = 0;
	char line[96];
	int n;

	for (;;) {
		ssize_t r = read(fd, buf, IO_CHUNK);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			bad = 1;
			bad_at = off;
			break;
		}
		if (r == 0)
			break;
		if (!bad && memcmp(buf, pat + off % PAT_LEN, (size_t)r) != 0) {
			bad = 1;
			bad_at = off;
		}
		off += (unsigned long long)r;
	}
	if (bad)
		n = snprintf(line, sizeof(line), "BAD %llu %llu\n", off, bad_at);
	else
		n = snprintf(line, sizeof(line), "OK %llu\n", off);
	(void)write_all(fd, line, (size_t)n);
}

static int do_sink(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sa);
	unsigned char *buf = malloc(IO_CHUNK);
	int one = 1;
	int lfd = socket(AF_INET, SOCK_STREAM, 0);

	if (lfd < 0 || !buf) {
		perror("socket");
		return 2;
	}
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons((uint16_t)port);
	if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(lfd, 64) < 0 ||
	    getsockname(lfd, (struct sockaddr *)&sa, &sl) < 0) {
		perror("bind/listen");
		return 2;
	}
	printf("port %u\n", ntohs(sa.sin_port));
	fflush(stdout);
	for (;;) {
		int fd = accept(lfd, NULL, NULL);

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			perror("accept");
			return 2;
		}
		serve_one(fd, buf);
		close(fd);
	}
}

static int do_send(int port, unsigned long long bytes, double secs)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	unsigned long long off = 0;
	char ans[96];
	size_t got = 0;
	double t0, t1, deadline;
	int fd;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons((uint16_t)port);
	t0 = now();
	deadline = t0 + secs;
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("connect");
		return 2;
	}
	while (off < bytes) {
		size_t n = IO_CHUNK;
		ssize_t w;

		if (bytes - off < n)
			n = (size_t)(bytes - off);
		w = write(fd, pat + off % PAT_LEN, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			perror("write");
			return 2;
		}
		off += (unsigned long long)w;
		/* the clock is read every 4 MiB or so, not on every write */
		if ((off & ((1u << 22) - 1)) < (unsigned long long)w && now() >= deadline)
			break;
	}
	shutdown(fd, SHUT_WR);
	for (;;) {
		ssize_t r = read(fd, ans + got, sizeof(ans) - 1 - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
		if (got == sizeof(ans) - 1 || memchr(ans, '\n', got))
			break;
	}
	t1 = now();
	ans[got] = '\0';
	ans[strcspn(ans, "\n")] = '\0';
	close(fd);
	{
		unsigned long long echoed = 0;
		int ok = sscanf(ans, "OK %llu", &echoed) == 1 && echoed == off;

		printf("bytes=%llu seconds=%.6f mbps=%.2f result=%s answer=\"%s\"\n", off, t1 - t0,
		       (double)off / (t1 - t0) / 1e6, ok ? "OK" : "BAD", ans);
		return ok ? 0 : 1;
	}
}

int main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	pat_init();
	if (argc >= 2 && strcmp(argv[1], "sink") == 0)
		return do_sink(argc >= 3 ? atoi(argv[2]) : 0);
	if (argc == 5 && strcmp(argv[1], "send") == 0)
		return do_send(atoi(argv[2]), strtoull(argv[3], NULL, 10), atof(argv[4]));
	fprintf(stderr, "usage: bench_stream sink [PORT] | send PORT BYTES SECONDS\n");
	return 2;
}
