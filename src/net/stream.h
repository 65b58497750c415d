/*
 * Non-blocking byte stream over one or two file descriptors (a socket, or a
 * pipe pair), driven by libevent. The owner decides how much to read (so
 * flow control can limit reads to the channel window) and hands over a
 * buffer to drain; the stream writes what the kernel takes and reports it.
 */
#ifndef BURROW_NET_STREAM_H
#define BURROW_NET_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "wire/buf.h"

struct event_base;
struct net_stream;

struct net_stream_ops {
	/* The read side is readable (or at EOF): call net_stream_read. */
	void (*readable)(void *arg);
	/* n bytes of the write buffer were written out (called from the event loop). */
	void (*wrote)(void *arg, size_t n);
	/* A write failed (e.g. EPIPE): the write side is dead, pending data dropped. */
	void (*write_error)(void *arg, int err);
};

/* rfd/wfd may be equal (socket) or -1 for an unused direction; the stream owns them. */
int net_stream_new(struct event_base *base, int rfd, int wfd, const struct net_stream_ops *ops,
		   void *arg, struct net_stream **out);
/* Closes the descriptors. */
void net_stream_free(struct net_stream *s);
/* Hand the stream's callbacks to a new owner. */
void net_stream_set_ops(struct net_stream *s, const struct net_stream_ops *ops, void *arg);
/* Enable or disable readable notifications. */
void net_stream_want_read(struct net_stream *s, int on);
/* Read up to max bytes: 0 with *n > 0, ERR_EOF at end of stream, ERR_AGAIN, or ERR_SYSTEM. */
int net_stream_read(struct net_stream *s, uint8_t *p, size_t max, size_t *n);
/*
 * Write from b (consuming what was written) now and, while b is not empty,
 * whenever the descriptor becomes writable. b must stay valid until it has
 * drained or the stream is freed. Returns bytes written now or ERR_SYSTEM.
 */
int net_stream_write(struct net_stream *s, struct buf *b, size_t *written);
/* 1 while data handed to net_stream_write is still pending. */
int net_stream_write_pending(const struct net_stream *s);
/* Once pending data is written: shutdown(SHUT_WR) for sockets, close() for pipes. */
void net_stream_shutdown_write(struct net_stream *s);
/* Close the read side now (reads are no longer wanted). */
void net_stream_close_read(struct net_stream *s);
int net_stream_rfd(const struct net_stream *s);
int net_stream_wfd(const struct net_stream *s);

#endif
