#include "net/connect.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <event2/dns.h>
#include <event2/event.h>
#include <event2/util.h>

#include "util/err.h"
#include "util/log.h"

#define NET_CONNECT_DEFAULT_TIMEOUT 30

/*
 * A lookup in flight. It is separate from struct net_connect because
 * libevent calls the lookup's callback even after evdns_getaddrinfo_cancel
 * (with EVUTIL_EAI_CANCEL, later, from the loop): cancelling detaches the
 * lookup (c = NULL) and frees the connect at once; the lookup frees itself.
 */
struct net_lookup {
	struct net_connect *c;
	struct evdns_getaddrinfo_request *req;
};

struct net_connect {
	struct event_base *base;
	net_connect_cb cb;
	void *arg;
	char *host;
	int port;
	int timeout_sec;
	struct net_lookup *lookup;      /* pending lookup, or NULL */
	struct evutil_addrinfo *ai_list; /* resolved addresses */
	struct evutil_addrinfo *ai_next; /* next one to try */
	int fd;                         /* attempt in progress, or -1 */
	struct event *io_ev;            /* writability/timeout of that attempt */
	int last_errno;                 /* of the last failed attempt */
	struct event *done_ev;          /* delivers the result from the loop */
	int res_fd;
	int res_err;
	char res_msg[128];
};

/*
 * evdns reports EVUTIL_EAI_* codes; print what glibc's gai_strerror() prints
 * for the matching EAI_* so burrow's messages are OpenSSH's.
 */
static const char *eai_text(int code)
{
	switch (code) {
	case EVUTIL_EAI_ADDRFAMILY:
		return "Address family for hostname not supported";
	case EVUTIL_EAI_AGAIN:
		return "Temporary failure in name resolution";
	case EVUTIL_EAI_FAIL:
		/*
		 * libevent 2.1 folds every DNS error but NXDOMAIN into
		 * EAI_FAIL: timeouts, SERVFAIL, REFUSED, no answer. For the
		 * common ones (no nameserver answers, server failure) glibc
		 * says EAI_AGAIN.
		 */
		return "Temporary failure in name resolution";
	case EVUTIL_EAI_BADFLAGS:
		return "Bad value for ai_flags";
	case EVUTIL_EAI_FAMILY:
		return "ai_family not supported";
	case EVUTIL_EAI_MEMORY:
		return "Memory allocation failure";
	case EVUTIL_EAI_NODATA:
		return "No address associated with hostname";
	case EVUTIL_EAI_NONAME:
		return "Name or service not known";
	case EVUTIL_EAI_SERVICE:
		return "Servname not supported for ai_socktype";
	case EVUTIL_EAI_SOCKTYPE:
		return "ai_socktype not supported";
	case EVUTIL_EAI_SYSTEM:
		return "System error";
	default:
		return "Unknown error";
	}
}

/* evdns prints its complaints to stderr by default; they are debug material. */
static void dns_log(int is_warning, const char *msg)
{
	log_debug("evdns%s: %s", is_warning ? " warning" : "", msg);
}

int net_dns_new(struct event_base *base, struct evdns_base **out)
{
	struct evdns_base *dns;
	int r;

	if (base == NULL || out == NULL)
		return ERR_INVALID_ARG;
	/*
	 * Not EVDNS_BASE_INITIALIZE_NAMESERVERS: libevent 2.1 reads resolv.conf
	 * before it honours DISABLE_WHEN_INACTIVE, so the nameserver sockets
	 * would keep the loop alive forever; and it refuses the whole base when
	 * resolv.conf is missing (1) or names no nameserver (6), although by
	 * then it has loaded /etc/hosts and fallen back to 127.0.0.1 as glibc
	 * does. So: create, then parse, and accept those two.
	 */
	evdns_set_log_fn(dns_log);
	dns = evdns_base_new(base, EVDNS_BASE_DISABLE_WHEN_INACTIVE);
	if (dns == NULL)
		return ERR_ALLOC;
	r = evdns_base_resolv_conf_parse(dns, DNS_OPTIONS_ALL, "/etc/resolv.conf");
	if (r != 0 && r != 1 && r != 6) {
		log_debug("net: reading /etc/resolv.conf failed (%d)", r);
		evdns_base_load_hosts(dns, NULL);
	}
	if (evdns_base_count_nameservers(dns) == 0)
		evdns_base_nameserver_ip_add(dns, "127.0.0.1");
	*out = dns;
	return 0;
}

void net_dns_free(struct evdns_base *dns)
{
	if (dns != NULL)
		evdns_base_free(dns, 0);
}

static void connect_free(struct net_connect *c)
{
	if (c->lookup != NULL) {
		struct evdns_getaddrinfo_request *req = c->lookup->req;

		c->lookup->c = NULL;
		c->lookup = NULL;
		if (req != NULL)
			evdns_getaddrinfo_cancel(req);
	}
	if (c->io_ev != NULL)
		event_free(c->io_ev);
	if (c->fd >= 0)
		close(c->fd);
	if (c->res_fd >= 0)
		close(c->res_fd);
	if (c->done_ev != NULL)
		event_free(c->done_ev);
	if (c->ai_list != NULL)
		evutil_freeaddrinfo(c->ai_list);
	free(c->host);
	free(c);
}

/* Record the result and deliver it from the loop (done_cb). */
static void connect_finish(struct net_connect *c, int fd, int err, const char *msg)
{
	c->res_fd = fd;
	c->res_err = err;
	snprintf(c->res_msg, sizeof(c->res_msg), "%s", msg != NULL ? msg : "");
	if (c->ai_list != NULL) {
		evutil_freeaddrinfo(c->ai_list);
		c->ai_list = NULL;
		c->ai_next = NULL;
	}
	event_active(c->done_ev, EV_TIMEOUT, 1);
}

static void done_cb(evutil_socket_t fd_unused, short what, void *arg)
{
	struct net_connect *c = arg;
	net_connect_cb cb = c->cb;
	void *cb_arg = c->arg;
	int fd = c->res_fd, err = c->res_err;
	char msg[sizeof(c->res_msg)];

	(void)fd_unused;
	(void)what;
	memcpy(msg, c->res_msg, sizeof(msg));
	/* The callback may free its own state: ours is gone before it runs. */
	c->res_fd = -1;
	connect_free(c);
	cb(cb_arg, fd, err, fd >= 0 ? NULL : msg);
}

static void connect_succeeded(struct net_connect *c, int fd)
{
	int one = 1;

	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) < 0)
		log_debug("net: TCP_NODELAY: %s", strerror(errno));
	connect_finish(c, fd, 0, NULL);
}

static void attempt_failed(struct net_connect *c, const struct evutil_addrinfo *ai, int e)
{
	char addr[INET6_ADDRSTRLEN] = "?";
	const void *p = NULL;

	if (ai->ai_family == AF_INET)
		p = &((const struct sockaddr_in *)(const void *)ai->ai_addr)->sin_addr;
	else if (ai->ai_family == AF_INET6)
		p = &((const struct sockaddr_in6 *)(const void *)ai->ai_addr)->sin6_addr;
	if (p != NULL)
		inet_ntop(ai->ai_family, p, addr, sizeof(addr));
	log_debug("net: connect to %s [%s] port %d: %s", c->host, addr, c->port, strerror(e));
	c->last_errno = e;
}

static void try_next(struct net_connect *c);

static void io_cb(evutil_socket_t fd, short what, void *arg)
{
	struct net_connect *c = arg;
	const struct evutil_addrinfo *ai = c->ai_next; /* the one being tried */
	int soerr = 0;
	socklen_t len = sizeof(soerr);

	event_free(c->io_ev);
	c->io_ev = NULL;
	c->fd = -1;
	c->ai_next = ai->ai_next;
	if (what & EV_TIMEOUT) {
		soerr = ETIMEDOUT;
	} else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0) {
		soerr = errno;
	} else if (soerr == 0) {
		connect_succeeded(c, fd);
		return;
	}
	attempt_failed(c, ai, soerr);
	close(fd);
	try_next(c);
}

/*
 * Start connecting to c->ai_next and on; failures that the kernel reports at
 * once move straight on to the next address.
 */
static void try_next(struct net_connect *c)
{
	struct timeval tv = { .tv_sec = c->timeout_sec, .tv_usec = 0 };
	struct evutil_addrinfo *ai;
	int fd;

	while ((ai = c->ai_next) != NULL) {
		fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
			    ai->ai_protocol);
		if (fd < 0) {
			attempt_failed(c, ai, errno);
			c->ai_next = ai->ai_next;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
			connect_succeeded(c, fd);
			return;
		}
		if (errno == EINPROGRESS) {
			c->io_ev = event_new(c->base, fd, EV_WRITE, io_cb, c);
			if (c->io_ev == NULL || event_add(c->io_ev, &tv) < 0) {
				if (c->io_ev != NULL)
					event_free(c->io_ev);
				c->io_ev = NULL;
				close(fd);
				connect_finish(c, -1, ERR_ALLOC, "Memory allocation failure");
				return;
			}
			c->fd = fd;
			return;
		}
		attempt_failed(c, ai, errno);
		close(fd);
		c->ai_next = ai->ai_next;
	}
	if (c->last_errno == 0)
		connect_finish(c, -1, ERR_NOT_FOUND, eai_text(EVUTIL_EAI_NODATA));
	else
		connect_finish(c, -1, ERR_SYSTEM, strerror(c->last_errno));
}

/* May run inside evdns_getaddrinfo (hosts file, literals): never calls c->cb. */
static void lookup_cb(int result, struct evutil_addrinfo *res, void *arg)
{
	struct net_lookup *lk = arg;
	struct net_connect *c = lk->c;

	free(lk);
	if (c == NULL) { /* cancelled */
		if (res != NULL)
			evutil_freeaddrinfo(res);
		return;
	}
	c->lookup = NULL;
	if (result != 0) {
		if (res != NULL)
			evutil_freeaddrinfo(res);
		log_debug("net: resolving %s: %s", c->host, eai_text(result));
		connect_finish(c, -1, result == EVUTIL_EAI_MEMORY ? ERR_ALLOC : ERR_NOT_FOUND,
			       eai_text(result));
		return;
	}
	c->ai_list = res;
	c->ai_next = res;
	try_next(c);
}

/*
 * evdns would send a literal of the other family to the nameservers as a
 * name; glibc refuses it at once with EAI_ADDRFAMILY.
 */
static int literal_of_other_family(const char *host, int family)
{
	unsigned char tmp[sizeof(struct in6_addr)];

	if (family == AF_INET)
		return inet_pton(AF_INET6, host, tmp) == 1;
	if (family == AF_INET6)
		return inet_pton(AF_INET, host, tmp) == 1;
	return 0;
}

int net_connect_start(struct event_base *base, struct evdns_base *dns, const char *host,
		      int port, int family, int timeout_sec, net_connect_cb cb, void *arg,
		      struct net_connect **out)
{
	struct evutil_addrinfo hints;
	struct evdns_getaddrinfo_request *req;
	struct net_connect *c = NULL;
	struct net_lookup *lk;
	char portstr[8];
	int r;

	if (base == NULL || dns == NULL || host == NULL || *host == '\0' || cb == NULL ||
	    out == NULL || port < 0 || port > 65535 || timeout_sec < 0 ||
	    (family != AF_UNSPEC && family != AF_INET && family != AF_INET6))
		return ERR_INVALID_ARG;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return ERR_ALLOC;
	c->base = base;
	c->cb = cb;
	c->arg = arg;
	c->port = port;
	c->timeout_sec = timeout_sec > 0 ? timeout_sec : NET_CONNECT_DEFAULT_TIMEOUT;
	c->fd = -1;
	c->res_fd = -1;
	r = ERR_ALLOC;
	if ((c->host = strdup(host)) == NULL)
		goto out;
	if ((c->done_ev = event_new(base, -1, 0, done_cb, c)) == NULL)
		goto out;
	if (literal_of_other_family(host, family)) {
		connect_finish(c, -1, ERR_NOT_FOUND, eai_text(EVUTIL_EAI_ADDRFAMILY));
		*out = c;
		return 0;
	}
	if ((lk = calloc(1, sizeof(*lk))) == NULL)
		goto out;
	lk->c = c;
	c->lookup = lk;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = family;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_protocol = IPPROTO_TCP;
	hints.ai_flags = EVUTIL_AI_NUMERICSERV;
	snprintf(portstr, sizeof(portstr), "%d", port);
	req = evdns_getaddrinfo(dns, host, portstr, &hints, lookup_cb, lk);
	/* lookup_cb has run already (and freed lk) when the answer was at hand. */
	if (c->lookup != NULL)
		c->lookup->req = req;
	*out = c;
	return 0;
out:
	connect_free(c);
	return r;
}

void net_connect_cancel(struct net_connect *c)
{
	if (c != NULL)
		connect_free(c);
}

int net_connect_unix(const char *path, int *fd, char *msg, size_t msglen)
{
	struct sockaddr_un sa;
	size_t len;
	int s, e;

	if (path == NULL || fd == NULL)
		return ERR_INVALID_ARG;
	len = strlen(path);
	if (len == 0 || len >= sizeof(sa.sun_path)) {
		snprintf(msg, msglen, "%s", strerror(len == 0 ? ENOENT : ENAMETOOLONG));
		return ERR_INVALID_ARG;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, len + 1);
	if ((s = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0) {
		snprintf(msg, msglen, "%s", strerror(errno));
		return ERR_SYSTEM;
	}
	/*
	 * A Unix connect completes or fails at once; with a full backlog a
	 * non-blocking one fails with EAGAIN, reported like any other error.
	 */
	if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		e = errno;
		close(s);
		log_debug("net: connect to unix socket %s: %s", path, strerror(e));
		snprintf(msg, msglen, "%s", strerror(e));
		return ERR_SYSTEM;
	}
	*fd = s;
	return 0;
}
