/* net_connect: asynchronous resolve + connect against loopback listeners. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <event2/dns.h>
#include <event2/event.h>

#include "net/connect.h"
#include "util/err.h"

#include "../check.h"

struct result {
	int called;
	int fd;
	int err;
	char msg[128];
};

static void result_cb(void *arg, int fd, int err, const char *msg)
{
	struct result *r = arg;

	r->called++;
	r->fd = fd;
	r->err = err;
	snprintf(r->msg, sizeof(r->msg), "%s", msg != NULL ? msg : "(null)");
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Listening socket on a loopback address with a kernel-chosen port (or the given one). */
static int listen_on(int family, const char *addr, int *port)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, one = 1;

	memset(&ss, 0, sizeof(ss));
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)*port);
		inet_pton(AF_INET, addr, &sin->sin_addr);
		len = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)*port);
		inet_pton(AF_INET6, addr, &sin6->sin6_addr);
		len = sizeof(*sin6);
	}
	if ((fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, 16) < 0) {
		close(fd);
		return -1;
	}
	len = sizeof(ss);
	getsockname(fd, (struct sockaddr *)&ss, &len);
	*port = ntohs(family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
					: ((struct sockaddr_in6 *)&ss)->sin6_port);
	return fd;
}

/* A port on 127.0.0.1 that refuses: bound (so nobody else takes it) but not listening. */
static int refusing_port(int *port)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0)
		return -1;
	getsockname(fd, (struct sockaddr *)&sin, &len);
	*port = ntohs(sin.sin_port);
	return fd;
}

static int peer_addr(int fd, char *out, size_t outlen)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getpeername(fd, (struct sockaddr *)&ss, &len) < 0)
		return -1;
	if (ss.ss_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, out, (socklen_t)outlen);
	else
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, out,
			  (socklen_t)outlen);
	return 0;
}

/* Start a connect, check the callback is deferred, run the loop until it is delivered. */
static void run_connect(struct event_base *base, struct evdns_base *dns, const char *host,
			int port, int family, int timeout, struct result *r)
{
	struct net_connect *c = NULL;

	memset(r, 0, sizeof(*r));
	r->fd = -2;
	CHECK_INT(net_connect_start(base, dns, host, port, family, timeout, result_cb, r, &c), 0);
	CHECK(c != NULL);
	CHECK_INT(r->called, 0); /* never from inside net_connect_start */
	event_base_dispatch(base);
	CHECK_INT(r->called, 1);
}

/* The connected fd really reaches the listener: bytes go both ways. */
static void check_usable(int fd, int lfd)
{
	int one = 0, a;
	socklen_t len = sizeof(one);
	char buf[8];

	CHECK(fcntl(fd, F_GETFL) & O_NONBLOCK);
	CHECK(getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, &len) == 0 && one != 0);
	a = accept(lfd, NULL, NULL);
	CHECK(a >= 0);
	if (a < 0)
		return;
	CHECK_INT(write(fd, "ping", 4), 4);
	CHECK_INT(read(a, buf, sizeof(buf)), 4);
	CHECK_MEM(buf, "ping", 4);
	CHECK_INT(write(a, "pong", 4), 4);
	usleep(10000);
	CHECK_INT(read(fd, buf, sizeof(buf)), 4);
	CHECK_MEM(buf, "pong", 4);
	close(a);
}

static void test_tcp(struct event_base *base, struct evdns_base *dns)
{
	struct result r;
	int port = 0, lfd = listen_on(AF_INET, "127.0.0.1", &port), rport = 0, rfd;
	char peer[64];

	CHECK(lfd >= 0);
	/* IPv4 literal */
	run_connect(base, dns, "127.0.0.1", port, AF_UNSPEC, 5, &r);
	CHECK(r.fd >= 0);
	CHECK_INT(r.err, 0);
	CHECK_STR(r.msg, "(null)");
	if (r.fd >= 0) {
		check_usable(r.fd, lfd);
		close(r.fd);
	}
	/* "localhost" through /etc/hosts */
	run_connect(base, dns, "localhost", port, AF_INET, 5, &r);
	CHECK(r.fd >= 0);
	if (r.fd >= 0) {
		CHECK(peer_addr(r.fd, peer, sizeof(peer)) == 0);
		CHECK_STR(peer, "127.0.0.1");
		check_usable(r.fd, lfd);
		close(r.fd);
	}
	run_connect(base, dns, "localhost", port, AF_UNSPEC, 5, &r);
	CHECK(r.fd >= 0);
	if (r.fd >= 0) {
		check_usable(r.fd, lfd);
		close(r.fd);
	}
	/* Closed port */
	rfd = refusing_port(&rport);
	CHECK(rfd >= 0);
	run_connect(base, dns, "127.0.0.1", rport, AF_UNSPEC, 5, &r);
	CHECK_INT(r.fd, -1);
	CHECK_INT(r.err, ERR_SYSTEM);
	CHECK_STR(r.msg, "Connection refused");
	/* A literal of the other family is refused as glibc does. */
	run_connect(base, dns, "127.0.0.1", port, AF_INET6, 5, &r);
	CHECK_INT(r.fd, -1);
	CHECK_INT(r.err, ERR_NOT_FOUND);
	CHECK_STR(r.msg, "Address family for hostname not supported");
	close(rfd);
	close(lfd);
}

static void test_ipv6(struct event_base *base, struct evdns_base *dns)
{
	struct result r;
	int port = 0, lfd = listen_on(AF_INET6, "::1", &port);

	if (lfd < 0) {
		fprintf(stderr, "skipping IPv6 tests: cannot listen on ::1: %s\n", strerror(errno));
		return;
	}
	run_connect(base, dns, "::1", port, AF_UNSPEC, 5, &r);
	CHECK(r.fd >= 0);
	if (r.fd >= 0) {
		check_usable(r.fd, lfd);
		close(r.fd);
	}
	run_connect(base, dns, "::1", port, AF_INET6, 5, &r);
	CHECK(r.fd >= 0);
	if (r.fd >= 0) {
		check_usable(r.fd, lfd);
		close(r.fd);
	}
	run_connect(base, dns, "::1", port, AF_INET, 5, &r);
	CHECK_INT(r.fd, -1);
	CHECK_STR(r.msg, "Address family for hostname not supported");
	close(lfd);
}

/* Names from a private hosts file: several addresses tried in order. */
static void test_multi(struct event_base *base, struct evdns_base *dns, const char *dir)
{
	char path[512], peer[64];
	struct result r;
	int port = 0, lfd = listen_on(AF_INET, "127.0.0.1", &port), lfd2, port2;
	FILE *f;

	CHECK(lfd >= 0);
	snprintf(path, sizeof(path), "%s/hosts", dir);
	f = fopen(path, "w");
	CHECK(f != NULL);
	if (f == NULL)
		return;
	fprintf(f, "127.0.0.2 twoaddr.test\n127.0.0.1 twoaddr.test\n"
		   "127.0.0.2 allrefuse.test\n127.0.0.3 allrefuse.test\n"
		   "127.0.0.1 order.test\n127.0.0.2 order.test\n");
	fclose(f);
	CHECK_INT(evdns_base_load_hosts(dns, path), 0);
	unlink(path);

	/* 127.0.0.2 refuses (nothing listens there), 127.0.0.1 accepts. */
	run_connect(base, dns, "twoaddr.test", port, AF_UNSPEC, 5, &r);
	CHECK(r.fd >= 0);
	CHECK_INT(r.err, 0);
	if (r.fd >= 0) {
		CHECK(peer_addr(r.fd, peer, sizeof(peer)) == 0);
		CHECK_STR(peer, "127.0.0.1");
		check_usable(r.fd, lfd);
		close(r.fd);
	}
	/* Every address refuses: the last connect error is reported. */
	run_connect(base, dns, "allrefuse.test", port, AF_INET, 5, &r);
	CHECK_INT(r.fd, -1);
	CHECK_INT(r.err, ERR_SYSTEM);
	CHECK_STR(r.msg, "Connection refused");
	/* Both listen: the first address wins. */
	port2 = port;
	lfd2 = listen_on(AF_INET, "127.0.0.2", &port2);
	if (lfd2 >= 0) {
		run_connect(base, dns, "order.test", port, AF_UNSPEC, 5, &r);
		CHECK(r.fd >= 0);
		if (r.fd >= 0) {
			CHECK(peer_addr(r.fd, peer, sizeof(peer)) == 0);
			CHECK_STR(peer, "127.0.0.1");
			close(r.fd);
		}
		close(lfd2);
	}
	close(lfd);
}

/* A name that cannot resolve through the system's resolv.conf: fails, without hanging. */
static void test_unresolvable(struct event_base *base, struct evdns_base *dns)
{
	struct result r;
	double t0 = now();

	run_connect(base, dns, "nonexistent.invalid", 22, AF_UNSPEC, 5, &r);
	CHECK_INT(r.fd, -1);
	CHECK_INT(r.err, ERR_NOT_FOUND);
	CHECK(strcmp(r.msg, "Name or service not known") == 0 ||
	      strcmp(r.msg, "Temporary failure in name resolution") == 0);
	CHECK(now() - t0 < 10.0);
}

/* A UDP socket that never answers, as a nameserver for a private evdns base. */
static int silent_nameserver(struct event_base *base, struct evdns_base **out)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	char addr[64];
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct evdns_base *dns;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0)
		return -1;
	getsockname(fd, (struct sockaddr *)&sin, &len);
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", ntohs(sin.sin_port));
	dns = evdns_base_new(base, EVDNS_BASE_DISABLE_WHEN_INACTIVE);
	if (dns == NULL || evdns_base_nameserver_ip_add(dns, addr) != 0)
		return -1;
	evdns_base_set_option(dns, "timeout:", "1");
	evdns_base_set_option(dns, "attempts:", "1");
	*out = dns;
	return fd;
}

static void test_dns_timeout_and_cancel(struct event_base *base)
{
	struct evdns_base *dns = NULL;
	struct net_connect *c = NULL;
	struct result r;
	double t0;
	int ns = silent_nameserver(base, &dns);

	CHECK(ns >= 0);
	if (ns < 0)
		return;
	/* Nobody answers: a timeout is reported as glibc reports it. */
	t0 = now();
	run_connect(base, dns, "slow.test", 22, AF_UNSPEC, 5, &r);
	CHECK_INT(r.fd, -1);
	CHECK_INT(r.err, ERR_NOT_FOUND);
	CHECK_STR(r.msg, "Temporary failure in name resolution");
	CHECK(now() - t0 < 5.0);

	/* Cancel while the lookup is in flight. */
	memset(&r, 0, sizeof(r));
	CHECK_INT(net_connect_start(base, dns, "slow.test", 22, AF_UNSPEC, 5, result_cb, &r, &c),
		  0);
	event_base_loop(base, EVLOOP_NONBLOCK);
	CHECK_INT(r.called, 0);
	net_connect_cancel(c);
	event_base_dispatch(base); /* libevent delivers the cancellation of the lookup */
	CHECK_INT(r.called, 0);
	net_dns_free(dns);
	close(ns);
}

static void test_cancel(struct event_base *base, struct evdns_base *dns)
{
	struct net_connect *c = NULL;
	struct result r;
	int port = 0, lfd = listen_on(AF_INET, "127.0.0.1", &port);

	/* Numeric: the result is already waiting for the loop. */
	memset(&r, 0, sizeof(r));
	CHECK_INT(net_connect_start(base, dns, "127.0.0.1", port, AF_INET, 5, result_cb, &r, &c),
		  0);
	net_connect_cancel(c);
	event_base_dispatch(base);
	CHECK_INT(r.called, 0);
	/* Resolved, connect possibly in progress. */
	memset(&r, 0, sizeof(r));
	CHECK_INT(net_connect_start(base, dns, "localhost", port, AF_INET, 5, result_cb, &r, &c),
		  0);
	event_base_loop(base, EVLOOP_NONBLOCK);
	if (r.called == 0)
		net_connect_cancel(c);
	else if (r.fd >= 0)
		close(r.fd);
	event_base_dispatch(base);
	CHECK(r.called <= 1);
	/* Failure pending delivery. */
	memset(&r, 0, sizeof(r));
	CHECK_INT(net_connect_start(base, dns, "::1", port, AF_INET, 5, result_cb, &r, &c), 0);
	net_connect_cancel(c);
	event_base_dispatch(base);
	CHECK_INT(r.called, 0);
	close(lfd);
}

/* A listener whose backlog is full: the kernel drops further SYNs, so connects hang. */
static int full_listener(int *port, int *filler)
{
	struct sockaddr_in sin;
	int lfd;

	*port = 0;
	if ((lfd = listen_on(AF_INET, "127.0.0.1", port)) < 0)
		return -1;
	listen(lfd, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)*port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	*filler = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (*filler < 0 || connect(*filler, (struct sockaddr *)&sin, sizeof(sin)) < 0)
		return -1;
	return lfd;
}

static void test_connect_timeout(struct event_base *base, struct evdns_base *dns)
{
	struct net_connect *c = NULL;
	struct result r;
	int port, filler = -1, lfd = full_listener(&port, &filler);
	double t0;

	CHECK(lfd >= 0);
	if (lfd < 0)
		return;
	t0 = now();
	run_connect(base, dns, "127.0.0.1", port, AF_INET, 1, &r);
	CHECK_INT(r.fd, -1);
	CHECK_INT(r.err, ERR_SYSTEM);
	CHECK_STR(r.msg, "Connection timed out");
	CHECK(now() - t0 >= 0.9 && now() - t0 < 3.0);
	/* Cancel while the connect is in progress. */
	memset(&r, 0, sizeof(r));
	CHECK_INT(net_connect_start(base, dns, "127.0.0.1", port, AF_INET, 5, result_cb, &r, &c),
		  0);
	event_base_loop(base, EVLOOP_NONBLOCK);
	CHECK_INT(r.called, 0);
	net_connect_cancel(c);
	t0 = now();
	event_base_dispatch(base); /* nothing left: returns at once */
	CHECK(now() - t0 < 0.5);
	CHECK_INT(r.called, 0);
	close(filler);
	close(lfd);
}

static void test_args(struct event_base *base, struct evdns_base *dns)
{
	struct net_connect *c = NULL;
	struct result r;

	CHECK_INT(net_connect_start(base, dns, "", 22, AF_UNSPEC, 0, result_cb, &r, &c),
		  ERR_INVALID_ARG);
	CHECK_INT(net_connect_start(base, dns, "127.0.0.1", 65536, AF_UNSPEC, 0, result_cb, &r,
				    &c),
		  ERR_INVALID_ARG);
	CHECK_INT(net_connect_start(base, dns, "127.0.0.1", 22, AF_UNIX, 0, result_cb, &r, &c),
		  ERR_INVALID_ARG);
	CHECK(c == NULL);
}

static void test_unix(const char *dir)
{
	struct sockaddr_un sa;
	char path[96], msg[128], buf[4];
	int lfd, fd = -1, a;
	char longpath[200];

	snprintf(path, sizeof(path), "%s/sock", dir);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(lfd >= 0);
	CHECK(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	CHECK(listen(lfd, 4) == 0);

	CHECK_INT(net_connect_unix(path, &fd, msg, sizeof(msg)), 0);
	CHECK(fd >= 0);
	if (fd >= 0) {
		CHECK(fcntl(fd, F_GETFL) & O_NONBLOCK);
		a = accept(lfd, NULL, NULL);
		CHECK(a >= 0);
		CHECK_INT(write(fd, "abc", 3), 3);
		CHECK_INT(read(a, buf, sizeof(buf)), 3);
		CHECK_MEM(buf, "abc", 3);
		close(a);
		close(fd);
	}
	/* The file stays, nobody listens any more. */
	close(lfd);
	fd = -7;
	CHECK_INT(net_connect_unix(path, &fd, msg, sizeof(msg)), ERR_SYSTEM);
	CHECK_STR(msg, "Connection refused");
	CHECK_INT(fd, -7);
	unlink(path);
	CHECK_INT(net_connect_unix(path, &fd, msg, sizeof(msg)), ERR_SYSTEM);
	CHECK_STR(msg, "No such file or directory");
	CHECK_INT(fd, -7);
	memset(longpath, 'x', sizeof(longpath) - 1);
	longpath[sizeof(longpath) - 1] = '\0';
	CHECK(net_connect_unix(longpath, &fd, msg, sizeof(msg)) < 0);
	CHECK_STR(msg, "File name too long");
}

int main(void)
{
	struct event_base *base = event_base_new();
	struct evdns_base *dns = NULL;
	char dir[] = "/tmp/burrow-net-XXXXXX";

	alarm(50); /* a hang is a failure, not a stuck test run */
	CHECK(base != NULL);
	CHECK(mkdtemp(dir) != NULL);
	CHECK_INT(net_dns_new(base, &dns), 0);
	CHECK(dns != NULL);
	if (base == NULL || dns == NULL)
		CHECK_DONE();
	/* Keep the unresolvable case fast if the nameserver does not answer. */
	evdns_base_set_option(dns, "timeout:", "1");
	evdns_base_set_option(dns, "attempts:", "1");

	test_args(base, dns);
	test_tcp(base, dns);
	test_ipv6(base, dns);
	test_multi(base, dns, dir);
	test_unresolvable(base, dns);
	test_cancel(base, dns);
	test_connect_timeout(base, dns);
	test_dns_timeout_and_cancel(base);
	test_unix(dir);

	net_dns_free(dns);
	event_base_free(base);
	rmdir(dir);
	CHECK_DONE();
}
