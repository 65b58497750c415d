#include "net/listener.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <event2/event.h>

#include "net/tcp.h"
#include "util/err.h"

struct net_listener {
	int fd;
	struct event *ev;
	net_accept_cb cb;
	void *arg;
};

static void on_accept(evutil_socket_t fd, short what, void *arg)
{
	struct net_listener *l = arg;
	int c;

	(void)what;
	/* Take everything that is queued; each callback owns its socket. */
	for (int i = 0; i < 64; i++) {
		c = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (c < 0)
			return;
		net_set_nodelay(c);
		l->cb(l->arg, c);
	}
}

int net_listener_new(struct event_base *base, int fd, net_accept_cb cb, void *arg,
		     struct net_listener **out)
{
	struct net_listener *l;

	if ((l = calloc(1, sizeof(*l))) == NULL)
		return ERR_ALLOC;
	l->fd = fd;
	l->cb = cb;
	l->arg = arg;
	evutil_make_socket_nonblocking(fd);
	if ((l->ev = event_new(base, fd, EV_READ | EV_PERSIST, on_accept, l)) == NULL ||
	    event_add(l->ev, NULL) != 0) {
		if (l->ev != NULL)
			event_free(l->ev);
		free(l);
		return ERR_SYSTEM;
	}
	*out = l;
	return 0;
}

void net_listener_free(struct net_listener *l)
{
	if (l == NULL)
		return;
	event_free(l->ev);
	close(l->fd);
	free(l);
}

int net_listener_fd(const struct net_listener *l)
{
	return l->fd;
}

int net_listen_unix(const char *path, int *fd, char *err, size_t errlen)
{
	struct sockaddr_un sun;
	int s;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "socket path too long: %s", path);
		return ERR_TOO_LARGE;
	}
	memcpy(sun.sun_path, path, strlen(path));
	if ((s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    bind(s, (struct sockaddr *)&sun, sizeof(sun)) < 0 || listen(s, 128) < 0) {
		snprintf(err, errlen, "bind %s: %s", path, strerror(errno));
		if (s >= 0)
			close(s);
		return ERR_SYSTEM;
	}
	*fd = s;
	return 0;
}
