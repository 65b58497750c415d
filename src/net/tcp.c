#include "net/tcp.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/err.h"
#include "util/log.h"

static int connect_timeout(int fd, const struct sockaddr *sa, socklen_t salen, int timeout_sec)
{
	int fl = fcntl(fd, F_GETFL), r, soerr = 0;
	socklen_t len = sizeof(soerr);
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };

	if (timeout_sec <= 0)
		return connect(fd, sa, salen);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -1;
	r = connect(fd, sa, salen);
	if (r < 0 && errno == EINPROGRESS) {
		do {
			r = poll(&pfd, 1, timeout_sec * 1000);
		} while (r < 0 && errno == EINTR);
		if (r == 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		if (r < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0)
			return -1;
		if (soerr != 0) {
			errno = soerr;
			return -1;
		}
		r = 0;
	}
	if (r == 0 && fcntl(fd, F_SETFL, fl) < 0)
		return -1;
	return r;
}

/* Bind s to addr (numeric or a name) in the given family; 0 or -1 with errno. */
static int bind_local(int s, int family, const char *addr)
{
	struct addrinfo hints, *res = NULL;
	int r;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = family;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	if (getaddrinfo(addr, NULL, &hints, &res) != 0 || res == NULL) {
		errno = EADDRNOTAVAIL;
		return -1;
	}
	r = bind(s, res->ai_addr, res->ai_addrlen);
	freeaddrinfo(res);
	return r;
}

int net_dial_tcp(const char *host, int port, int family, int timeout_sec, int *fd, char *err,
		 size_t errlen)
{
	return net_dial_tcp_from(host, port, family, timeout_sec, NULL, fd, err, errlen);
}

int net_dial_tcp_from(const char *host, int port, int family, int timeout_sec,
		      const char *bind_addr, int *fd, char *err, size_t errlen)
{
	struct addrinfo hints, *res = NULL, *ai;
	char portstr[16];
	int s = -1, r, saved = 0;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = family;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(portstr, sizeof(portstr), "%d", port);
	if ((r = getaddrinfo(host, portstr, &hints, &res)) != 0) {
		snprintf(err, errlen, "Could not resolve hostname %s: %s", host, gai_strerror(r));
		return ERR_NOT_FOUND;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if ((s = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol)) < 0) {
			saved = errno;
			continue;
		}
		if (bind_addr != NULL && bind_local(s, ai->ai_family, bind_addr) != 0) {
			saved = errno;
			log_error("bind %s: %s", bind_addr, strerror(saved));
			close(s);
			s = -1;
			continue;
		}
		if (connect_timeout(s, ai->ai_addr, ai->ai_addrlen, timeout_sec) == 0)
			break;
		saved = errno;
		close(s);
		s = -1;
	}
	freeaddrinfo(res);
	if (s < 0) {
		snprintf(err, errlen, "connect to host %s port %d: %s", host, port, strerror(saved));
		return ERR_SYSTEM;
	}
	net_set_nodelay(s);
	*fd = s;
	return 0;
}

void net_set_nodelay(int fd)
{
	int one = 1;

	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

int net_listen_tcp(const char *host, int port, int family, int *fds, int max, int *n, char *err,
		   size_t errlen)
{
	struct addrinfo hints, *res = NULL, *ai;
	char portstr[16];
	int r, count = 0, one = 1;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = family;
	hints.ai_socktype = SOCK_STREAM;
	/* NULL without AI_PASSIVE gives the loopback address of each family. */
	hints.ai_flags = host != NULL ? AI_PASSIVE : 0;
	snprintf(portstr, sizeof(portstr), "%d", port);
	if ((r = getaddrinfo(host != NULL && *host != '\0' ? host : NULL, portstr, &hints, &res)) != 0) {
		snprintf(err, errlen, "bad address %s: %s", host != NULL ? host : "*", gai_strerror(r));
		return ERR_NOT_FOUND;
	}
	err[0] = '\0';
	for (ai = res; ai != NULL && count < max; ai = ai->ai_next) {
		int s = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);

		if (s < 0)
			continue;
		setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (ai->ai_family == AF_INET6)
			setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
		if (bind(s, ai->ai_addr, ai->ai_addrlen) < 0 || listen(s, 128) < 0) {
			char a[NI_MAXHOST] = "?";

			getnameinfo(ai->ai_addr, ai->ai_addrlen, a, sizeof(a), NULL, 0, NI_NUMERICHOST);
			snprintf(err, errlen, "bind [%s]:%d: %s", a, port, strerror(errno));
			close(s);
			continue;
		}
		fds[count++] = s;
	}
	freeaddrinfo(res);
	*n = count;
	return count > 0 ? 0 : ERR_SYSTEM;
}

int net_sockaddr_str(int fd, int local, char *addr, size_t addrlen, int *port)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char serv[NI_MAXSERV];

	if ((local ? getsockname(fd, (struct sockaddr *)&ss, &len)
		   : getpeername(fd, (struct sockaddr *)&ss, &len)) < 0)
		return ERR_SYSTEM;
	if (getnameinfo((struct sockaddr *)&ss, len, addr, addrlen, serv, sizeof(serv),
			NI_NUMERICHOST | NI_NUMERICSERV) != 0)
		return ERR_SYSTEM;
	*port = atoi(serv);
	return 0;
}

void net_peer_desc(int fd, int local, char *out, size_t outlen)
{
	char addr[NI_MAXHOST];
	int port = 0;

	if (net_sockaddr_str(fd, local, addr, sizeof(addr), &port) != 0)
		snprintf(out, outlen, "UNKNOWN port 65535");
	else
		snprintf(out, outlen, "%s port %d", addr, port);
}
