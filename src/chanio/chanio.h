/*
 * Channel I/O: joins one channel to local descriptors. Sources (a socket, a
 * child's stdout or stderr, our stdin) are read only as far as the peer's
 * window allows; sinks (a socket, a child's stdin, our stdout/stderr) get
 * what the peer sends, and the window re-opens only as the bytes are
 * written out. Used by sessions on both sides and by port forwarding.
 */
#ifndef BURROW_CHANIO_CHANIO_H
#define BURROW_CHANIO_CHANIO_H

#include <stdint.h>

#include "conn/conn.h"

struct event_base;
struct chanio;

struct chanio_hooks {
	/* Channel requests and replies (may be NULL). */
	int (*request)(void *arg, const char *type, int want_reply, struct rd *args);
	void (*reply)(void *arg, int success);
	/* For channels we opened: the peer's answer. */
	void (*open_result)(void *arg, int ok, uint32_t reason, const char *msg);
	/* Every source reached EOF and EOF was sent to the peer (may be NULL). */
	void (*sources_done)(void *arg);
	/* Every source reached EOF (and EOF was sent) and the peer's EOF was written out. */
	void (*drained)(void *arg);
	/* The channel is gone (closed, or our open was refused); the chanio is freed
	 * right after this returns. */
	void (*closed)(void *arg);
};

/* flush(flush_arg) is called after anything was queued on the transport. */
int chanio_new(struct event_base *base, const struct chanio_hooks *hooks, void *arg,
	       void (*flush)(void *), void *flush_arg, struct chanio **out);
/* The chan_ops to pass to chan_open / chan_accept, with the chanio as ctx. */
const struct chan_ops *chanio_chan_ops(void);
/* Bind the channel (after chan_open / chan_accept). */
void chanio_set_channel(struct chanio *c, struct chan *ch);
struct chan *chanio_channel(const struct chanio *c);
/* Add a local source sending with extended type ext (0 = plain data). The chanio owns fd. */
int chanio_add_source(struct chanio *c, int fd, uint32_t ext);
/* Add a sink for data of extended type ext (0 or 1). The chanio owns fd. */
int chanio_add_sink(struct chanio *c, int fd, uint32_t ext);
/* One socket as both the source and the sink of plain data. */
int chanio_add_socket(struct chanio *c, int fd);
/* Start reading sources (call once the channel is open). */
void chanio_start(struct chanio *c);
/* Stop reading sources and send EOF now (e.g. the child exited). */
void chanio_send_eof(struct chanio *c);
/* Send CLOSE; the closed hook runs once the peer's CLOSE arrives. */
void chanio_close(struct chanio *c);
/*
 * Bytes still owed to local descriptors of closed channels are written by the
 * event loop; at exit, write whatever is left now (blocking) and close them.
 */
void chanio_flush_lingering(void);
/* Free a chanio whose channel could not even be opened (runs the closed hook). */
void chanio_abort(struct chanio *c);
uint64_t chanio_bytes_in(const struct chanio *c);  /* received from the peer */
uint64_t chanio_bytes_out(const struct chanio *c); /* sent to the peer */

#endif
