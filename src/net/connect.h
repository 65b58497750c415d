/*
 * Outgoing connections that never block the event loop: names resolved with
 * evdns (/etc/hosts, then the resolv.conf nameservers), each address tried
 * with a non-blocking connect bounded by a timeout. Used by the server for
 * direct-tcpip / direct-streamlocal@openssh.com opens.
 */
#ifndef BURROW_NET_CONNECT_H
#define BURROW_NET_CONNECT_H

#include <stddef.h>

struct event_base;
struct evdns_base;
struct net_connect;

/*
 * Result: fd >= 0 is a connected non-blocking TCP socket (TCP_NODELAY set),
 * owned by the callee, with err 0 and msg NULL. Otherwise fd = -1, err is
 * ERR_NOT_FOUND (resolution failed), ERR_SYSTEM (every connect failed) or
 * ERR_ALLOC, and msg is the reason as glibc spells it ("Connection refused",
 * "Name or service not known", ...); msg is only valid during the call.
 */
typedef void (*net_connect_cb)(void *arg, int fd, int err, const char *msg);

/*
 * Create the resolver once per process: /etc/resolv.conf and /etc/hosts. If
 * resolv.conf is missing or lists no nameserver, 127.0.0.1 is used (as glibc
 * does) and /etc/hosts and numeric addresses still work.
 */
int net_dns_new(struct event_base *base, struct evdns_base **out);
/*
 * Free the resolver. Cancel every pending net_connect first and let the loop
 * run once afterwards: libevent delivers the cancellation of a lookup later.
 */
void net_dns_free(struct evdns_base *dns);

/*
 * Resolve host (name, IPv4 or IPv6 literal without brackets) without
 * blocking, then try each address in order, each attempt bounded by
 * timeout_sec (0 = 30 s), until one connects. family: AF_UNSPEC, AF_INET or
 * AF_INET6. cb is called exactly once, always from the event loop (never
 * from inside this function), unless the attempt is cancelled. When every
 * address fails, msg is the last connect error (as the OpenSSH server does).
 * Returns 0 with a handle in *out (valid until cb runs or cancel), or an
 * error (then cb is never called).
 */
int net_connect_start(struct event_base *base, struct evdns_base *dns, const char *host,
		      int port, int family, int timeout_sec, net_connect_cb cb, void *arg,
		      struct net_connect **out);
/* Cancel a pending attempt: cb will not be called; everything is freed. */
void net_connect_cancel(struct net_connect *c);

/*
 * Connect to a Unix stream socket. Returns 0 with a connected non-blocking
 * socket in *fd, or ERR_SYSTEM / ERR_INVALID_ARG with the reason in msg
 * ("No such file or directory", "Connection refused", ...).
 */
int net_connect_unix(const char *path, int *fd, char *msg, size_t msglen);

#endif
