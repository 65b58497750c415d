/* TCP sockets: outgoing connections with a timeout, listening sockets, address strings. */
#ifndef BURROW_NET_TCP_H
#define BURROW_NET_TCP_H

#include <stddef.h>
#include <sys/socket.h>

/*
 * Resolve host and connect to each address in turn (family AF_UNSPEC,
 * AF_INET or AF_INET6), each attempt bounded by timeout_sec (0 = the
 * kernel's). Returns 0 with a connected blocking socket in *fd, or an error
 * with a message like "connect to host H port P: Connection refused" in err.
 */
int net_dial_tcp(const char *host, int port, int family, int timeout_sec, int *fd, char *err,
		 size_t errlen);
/* The same from a given local address (ssh's BindAddress / -b; NULL = any). */
int net_dial_tcp_from(const char *host, int port, int family, int timeout_sec,
		      const char *bind_addr, int *fd, char *err, size_t errlen);
/*
 * Bind listening sockets for host:port: host "" = every address, NULL = the
 * loopback addresses (127.0.0.1 and ::1), IPv4 and IPv6 each where present. Appends up to max descriptors to fds; *n gets the count.
 */
int net_listen_tcp(const char *host, int port, int family, int *fds, int max, int *n, char *err,
		   size_t errlen);
/* "ADDR port PORT" (sshd's way of naming a peer) for a connected socket's far or near end. */
/* Send small segments at once (no Nagle): SSH packets and forwarded requests
 * are latency-bound. Harmless no-op on a Unix socket. */
void net_set_nodelay(int fd);
void net_peer_desc(int fd, int local, char *out, size_t outlen);
/* Numeric address and port of a connected socket's far (local=0) or near (local=1) end. */
int net_sockaddr_str(int fd, int local, char *addr, size_t addrlen, int *port);

#endif
