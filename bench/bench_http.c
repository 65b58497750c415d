/*
 * bench_http: the smallest HTTP/1.1 server that wrk can measure a tunnel
 * against, for `make bench`.
 *
 *   bench_http [PORT]     listen on 127.0.0.1:PORT (0: any), print "port N"
 *
 * One thread, epoll. Every request (anything ending in an empty line) gets
 * the same 13-byte body; a request with "Connection: close" gets its answer
 * and then the connection is closed, as wrk's new-connection test expects.
 * Idle connections cost a few bytes each, so it can also hold the 10,000
 * idle connections of the memory test.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#define REQ_MAX 8192

static const char resp_keep[] = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
				"Content-Length: 13\r\n\r\nhello, world\n";
static const char resp_close[] = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
				 "Content-Length: 13\r\nConnection: close\r\n\r\nhello, world\n";

struct conn {
	char *in; /* allocated on first read */
	size_t in_len;
	char *out; /* pending answer bytes when the socket was full */
	size_t out_len;
	int closing;
};

static struct conn *conns;
static size_t nconns;
static int ep;

static void conn_close(int fd)
{
	free(conns[fd].in);
	free(conns[fd].out);
	memset(&conns[fd], 0, sizeof(conns[fd]));
	close(fd);
}

static int out_append(struct conn *c, const char *p, size_t n)
{
	char *o = realloc(c->out, c->out_len + n);

	if (!o)
		return -1;
	memcpy(o + c->out_len, p, n);
	c->out = o;
	c->out_len += n;
	return 0;
}

/* Write what is pending; 1 when everything went out. */
static int out_flush(int fd, struct conn *c)
{
	size_t off = 0;

	while (off < c->out_len) {
		ssize_t w = write(fd, c->out + off, c->out_len - off);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				break;
			return -1;
		}
		off += (size_t)w;
	}
	memmove(c->out, c->out + off, c->out_len - off);
	c->out_len -= off;
	return c->out_len == 0;
}

/* Answer every complete request in the input buffer. */
static int handle_requests(struct conn *c)
{
	char *end;

	while ((end = memmem(c->in, c->in_len, "\r\n\r\n", 4)) != NULL) {
		size_t n = (size_t)(end - c->in) + 4;
		int close_req = memmem(c->in, n, "onnection: close", 16) != NULL ||
				memmem(c->in, n, "onnection: Close", 16) != NULL;

		if (close_req) {
			if (out_append(c, resp_close, sizeof(resp_close) - 1) < 0)
				return -1;
			c->closing = 1;
			c->in_len = 0;
			return 0;
		}
		if (out_append(c, resp_keep, sizeof(resp_keep) - 1) < 0)
			return -1;
		memmove(c->in, c->in + n, c->in_len - n);
		c->in_len -= n;
	}
	if (c->in_len == REQ_MAX)
		return -1; /* no end of headers in 8 KiB: not our client */
	return 0;
}

static void on_readable(int fd)
{
	struct conn *c = &conns[fd];
	int r;

	if (!c->in && !(c->in = malloc(REQ_MAX))) {
		conn_close(fd);
		return;
	}
	for (;;) {
		ssize_t n = read(fd, c->in + c->in_len, REQ_MAX - c->in_len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				break;
			conn_close(fd);
			return;
		}
		if (n == 0) {
			conn_close(fd);
			return;
		}
		c->in_len += (size_t)n;
		if (handle_requests(c) < 0) {
			conn_close(fd);
			return;
		}
		if (c->closing || c->in_len == REQ_MAX)
			break;
	}
	r = c->out_len ? out_flush(fd, c) : 1;
	if (r < 0 || (r == 1 && c->closing)) {
		conn_close(fd);
		return;
	}
	if (r == 0) {
		struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT, .data.fd = fd };

		epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
	}
}

static void on_writable(int fd)
{
	struct conn *c = &conns[fd];
	int r = out_flush(fd, c);

	if (r < 0 || (r == 1 && c->closing)) {
		conn_close(fd);
		return;
	}
	if (r == 1) {
		struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };

		epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sa);
	struct rlimit rl;
	struct epoll_event lev = { .events = EPOLLIN };
	int lfd, one = 1;

	signal(SIGPIPE, SIG_IGN);
	/* as many connections as the hard limit allows */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	nconns = (size_t)rl.rlim_cur;
	conns = calloc(nconns, sizeof(*conns));
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (!conns || lfd < 0) {
		perror("setup");
		return 2;
	}
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons((uint16_t)(argc >= 2 ? atoi(argv[1]) : 0));
	if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(lfd, 4096) < 0 ||
	    getsockname(lfd, (struct sockaddr *)&sa, &sl) < 0) {
		perror("bind/listen");
		return 2;
	}
	printf("port %u\n", ntohs(sa.sin_port));
	fflush(stdout);
	ep = epoll_create1(0);
	lev.data.fd = lfd;
	epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &lev);
	for (;;) {
		struct epoll_event evs[256];
		int n = epoll_wait(ep, evs, 256, -1);

		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd;

			if (fd == lfd) {
				int c;

				while ((c = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
					struct epoll_event ev = { .events = EPOLLIN, .data.fd = c };

					if ((size_t)c >= nconns) {
						close(c);
						continue;
					}
					setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
					epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev);
				}
				continue;
			}
			if (evs[i].events & EPOLLOUT)
				on_writable(fd);
			else if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
				on_readable(fd);
		}
	}
}
