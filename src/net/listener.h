/* Accepting connections on listening sockets from the event loop. */
#ifndef BURROW_NET_LISTENER_H
#define BURROW_NET_LISTENER_H

#include <stddef.h>

struct event_base;
struct net_listener;

/* fd: the accepted socket (non-blocking, close-on-exec); the callee owns it. */
typedef void (*net_accept_cb)(void *arg, int fd);

/* Watch a bound, listening socket (the listener owns and closes it). */
int net_listener_new(struct event_base *base, int fd, net_accept_cb cb, void *arg,
		     struct net_listener **out);
void net_listener_free(struct net_listener *l);
int net_listener_fd(const struct net_listener *l);
/* Bind and listen on a Unix stream socket at path (mode from umask). */
int net_listen_unix(const char *path, int *fd, char *err, size_t errlen);

#endif
