/*
 * delay_relay: a TCP relay on loopback that holds every chunk it reads for a
 * fixed delay before writing it on, in both directions, for `make bench`.
 *
 *   delay_relay LISTEN_PORT TARGET_PORT DELAY_MS
 *
 * Listens on 127.0.0.1:LISTEN_PORT (0: any; prints "port N"), connects each
 * accepted connection to 127.0.0.1:TARGET_PORT. With DELAY_MS 25 the round trip
 * grows by 50 ms. Bandwidth is not limited: whatever is readable is read at
 * once and queued (up to QUEUE_CAP bytes per direction, far above the
 * bandwidth-delay product of any tunnel measured here). One thread, epoll; the
 * timeout of epoll_wait is the earliest due chunk.
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
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define READ_MAX (256u * 1024u)
#define QUEUE_CAP (256ull * 1024 * 1024)
#define MAX_PIPES 1024

struct chunk {
	struct chunk *next;
	int64_t due_ns;
	size_t len, off;
	int eof; /* a half-close to pass on */
	unsigned char data[];
};

/* One direction: bytes read from src, queued, written to dst after the delay. */
struct dir {
	int src, dst;
	struct chunk *head, *tail;
	unsigned long long queued;
	int src_done, dst_closed, reading;
};

struct pipe_ {
	int used;
	struct dir d[2]; /* d[0]: client -> target, d[1]: target -> client */
};

static struct pipe_ pipes[MAX_PIPES];
static int64_t delay_ns;
static int ep;

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The event word: pipe index * 2 + which socket (0 client, 1 target). */
static void ep_set(int fd, uint32_t events, uint64_t tag, int op)
{
	struct epoll_event ev = { .events = events, .data.u64 = tag };

	if (epoll_ctl(ep, op, fd, &ev) < 0 && op != EPOLL_CTL_DEL)
		perror("epoll_ctl");
}

/* Recompute what each socket of pipe p waits for. */
static void pipe_arm(int pi)
{
	struct pipe_ *p = &pipes[pi];

	for (int s = 0; s < 2; s++) {
		/* socket s is src of d[s] and dst of d[1-s] */
		struct dir *in = &p->d[s], *out = &p->d[1 - s];
		uint32_t ev = 0;

		in->reading = !in->src_done && in->queued < QUEUE_CAP;
		if (in->reading)
			ev |= EPOLLIN;
		if (out->head && out->head->due_ns <= now_ns() && !out->dst_closed)
			ev |= EPOLLOUT;
		ep_set(in->src, ev, (uint64_t)pi * 2 + (uint64_t)s, EPOLL_CTL_MOD);
	}
}

static void pipe_close(int pi)
{
	struct pipe_ *p = &pipes[pi];

	for (int i = 0; i < 2; i++) {
		struct chunk *c = p->d[i].head;

		while (c) {
			struct chunk *n = c->next;

			free(c);
			c = n;
		}
		epoll_ctl(ep, EPOLL_CTL_DEL, p->d[i].src, NULL);
		close(p->d[i].src);
	}
	memset(p, 0, sizeof(*p));
}

static void queue(struct dir *d, const void *data, size_t len, int eof)
{
	struct chunk *c = malloc(sizeof(*c) + len);

	if (!c) {
		perror("malloc");
		exit(2);
	}
	c->next = NULL;
	c->due_ns = now_ns() + delay_ns;
	c->len = len;
	c->off = 0;
	c->eof = eof;
	memcpy(c->data, data, len);
	if (d->tail)
		d->tail->next = c;
	else
		d->head = c;
	d->tail = c;
	d->queued += len;
}

/* Read what is there from d->src. Returns -1 when the pipe must close. */
static int dir_read(struct dir *d, unsigned char *buf)
{
	while (d->queued < QUEUE_CAP) {
		ssize_t r = read(d->src, buf, READ_MAX);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return 0;
			return -1;
		}
		if (r == 0) {
			d->src_done = 1;
			queue(d, NULL, 0, 1);
			return 0;
		}
		queue(d, buf, (size_t)r, 0);
	}
	return 0;
}

/* Write every due chunk to d->dst. Returns -1 when the pipe must close. */
static int dir_flush(struct dir *d, int64_t t)
{
	while (d->head && d->head->due_ns <= t && !d->dst_closed) {
		struct chunk *c = d->head;

		if (c->eof) {
			shutdown(d->dst, SHUT_WR);
			d->dst_closed = 1;
		} else {
			ssize_t w = write(d->dst, c->data + c->off, c->len - c->off);

			if (w < 0) {
				if (errno == EINTR)
					continue;
				if (errno == EAGAIN)
					return 0;
				return -1;
			}
			c->off += (size_t)w;
			d->queued -= (unsigned long long)w;
			if (c->off < c->len)
				return 0;
		}
		d->head = c->next;
		if (!d->head)
			d->tail = NULL;
		free(c);
	}
	return 0;
}

static void nonblock(int fd)
{
	int one = 1;

	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

static void accept_one(int lfd, int target_port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int c, t, pi;

	c = accept(lfd, NULL, NULL);
	if (c < 0)
		return;
	for (pi = 0; pi < MAX_PIPES && pipes[pi].used; pi++)
		;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons((uint16_t)target_port);
	t = socket(AF_INET, SOCK_STREAM, 0);
	/* a blocking connect: the target is on loopback and answers at once */
	if (pi == MAX_PIPES || t < 0 || connect(t, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("relay connect");
		close(c);
		if (t >= 0)
			close(t);
		return;
	}
	nonblock(c);
	nonblock(t);
	pipes[pi].used = 1;
	pipes[pi].d[0] = (struct dir){ .src = c, .dst = t };
	pipes[pi].d[1] = (struct dir){ .src = t, .dst = c };
	ep_set(c, EPOLLIN, (uint64_t)pi * 2, EPOLL_CTL_ADD);
	ep_set(t, EPOLLIN, (uint64_t)pi * 2 + 1, EPOLL_CTL_ADD);
}

/* Milliseconds until the earliest due chunk, rounded up; -1 if none. */
static int next_timeout(void)
{
	int64_t best = -1, t = now_ns();

	for (int i = 0; i < MAX_PIPES; i++) {
		if (!pipes[i].used)
			continue;
		for (int k = 0; k < 2; k++) {
			struct chunk *c = pipes[i].d[k].head;

			if (c && !pipes[i].d[k].dst_closed && (best < 0 || c->due_ns < best))
				best = c->due_ns;
		}
	}
	if (best < 0)
		return -1;
	if (best <= t)
		return 0;
	return (int)((best - t + 999999) / 1000000);
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sa);
	unsigned char *buf = malloc(READ_MAX);
	int lfd, one = 1, target_port;

	if (argc != 4 || !buf) {
		fprintf(stderr, "usage: delay_relay LISTEN_PORT TARGET_PORT DELAY_MS\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	target_port = atoi(argv[2]);
	delay_ns = (int64_t)atoi(argv[3]) * 1000000;
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons((uint16_t)atoi(argv[1]));
	if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(lfd, 128) < 0 ||
	    getsockname(lfd, (struct sockaddr *)&sa, &sl) < 0) {
		perror("bind/listen");
		return 2;
	}
	printf("port %u\n", ntohs(sa.sin_port));
	fflush(stdout);
	ep = epoll_create1(0);
	ep_set(lfd, EPOLLIN, UINT64_MAX, EPOLL_CTL_ADD);
	for (;;) {
		struct epoll_event evs[64];
		int n = epoll_wait(ep, evs, 64, next_timeout());
		int64_t t;

		if (n < 0 && errno != EINTR) {
			perror("epoll_wait");
			return 2;
		}
		for (int i = 0; i < n; i++) {
			uint64_t tag = evs[i].data.u64;
			int pi, s;

			if (tag == UINT64_MAX) {
				accept_one(lfd, target_port);
				continue;
			}
			pi = (int)(tag / 2);
			s = (int)(tag % 2);
			if (!pipes[pi].used)
				continue;
			if ((evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) &&
			    pipes[pi].d[s].reading && dir_read(&pipes[pi].d[s], buf) < 0) {
				pipe_close(pi);
				continue;
			}
		}
		/* Flush what is due everywhere, then re-arm; a pipe whose both
		 * directions ended and drained is closed. */
		t = now_ns();
		for (int pi = 0; pi < MAX_PIPES; pi++) {
			struct pipe_ *p = &pipes[pi];

			if (!p->used)
				continue;
			if (dir_flush(&p->d[0], t) < 0 || dir_flush(&p->d[1], t) < 0) {
				pipe_close(pi);
				continue;
			}
			if (p->d[0].dst_closed && p->d[1].dst_closed) {
				pipe_close(pi);
				continue;
			}
			pipe_arm(pi);
		}
	}
}
