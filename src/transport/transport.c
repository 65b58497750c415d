/*
 * The transport state machine: the public API, input processing, the send
 * queue held during key exchanges and the rekey triggers. Which message is
 * legal when lives in dispatch.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "transport/tp_int.h"
#include "transport/tp_test.h"
#include "util/err.h"
#include "util/log.h"

static int send_disconnect(struct tp *t, uint32_t reason, const char *msg)
{
	struct buf m;
	int r;

	if (t->v_ours == NULL) /* nothing may precede our version line */
		return 0;
	buf_init(&m);
	if ((r = buf_put_u8(&m, SSH_MSG_DISCONNECT)) == 0 && (r = buf_put_u32(&m, reason)) == 0 &&
	    (r = buf_put_cstring(&m, msg)) == 0 && (r = buf_put_cstring(&m, "")) == 0)
		r = tp_pkt_send(t, buf_ptr(&m), buf_len(&m));
	buf_free(&m);
	return r;
}

int tp_fail(struct tp *t, int err, uint32_t reason, const char *fmt, ...)
{
	va_list ap;

	if (err >= 0)
		err = ERR_PROTOCOL;
	if (t->dead)
		return t->dead_err != 0 ? t->dead_err : err;
	va_start(ap, fmt);
	vsnprintf(t->err, sizeof(t->err), fmt, ap);
	va_end(ap);
	log_debug("transport: fatal: %s", t->err);
	/* Mark dead first: sending the DISCONNECT must not recurse into another failure. */
	t->dead = 1;
	t->dead_err = err;
	send_disconnect(t, reason, t->err);
	return err;
}

/* ---- rekeying and the held queue ---- */

static int rekey_due(const struct tp *t)
{
	if (t->rx.bytes >= tp_rekey_limit(t, &t->rx) || t->tx.bytes >= tp_rekey_limit(t, &t->tx))
		return 1;
	if (t->rx.packets >= TP_MAX_PACKETS_PER_KEY || t->tx.packets >= TP_MAX_PACKETS_PER_KEY)
		return 1;
	return t->rekey_seconds != 0 && t->have_time && t->now - t->last_kex_time >= t->rekey_seconds;
}

/* Like OpenSSH, never start a rekey on our own before authentication (sshd refuses it). */
static int maybe_rekey(struct tp *t)
{
	if (t->dead || t->kex_count == 0 || !t->authenticated || t->kx.step != TP_KX_IDLE ||
	    !rekey_due(t))
		return 0;
	log_debug("rekeying: limit reached (in %llu bytes, out %llu bytes)",
		  (unsigned long long)t->rx.bytes, (unsigned long long)t->tx.bytes);
	return tp_kex_begin(t);
}

int tp_flush_queue(struct tp *t)
{
	while (buf_len(&t->queue) > 0) {
		const uint8_t *q = buf_ptr(&t->queue);
		uint32_t len = get_u32be(q);
		int r;

		if ((r = tp_pkt_send(t, q + 4, len)) != 0)
			return tp_fail(t, r, SSH_DISCONNECT_BY_APPLICATION, "cannot send packet: %s",
				       err_str(r));
		buf_consume(&t->queue, 4 + (size_t)len);
	}
	return 0;
}

void tp_kex_done(struct tp *t)
{
	t->kex_count++;
	t->cur_kex = t->kx.algs.kex->name;
	tp_kex_clear(&t->kx);
	if (t->have_time)
		t->last_kex_time = t->now;
	log_debug("key exchange %u complete", t->kex_count);
}

/* ---- input processing ---- */

/* Forget the packet tp_read_packet handed out last time. */
static void drop_returned(struct tp *t)
{
	if (t->pend_returned) {
		buf_consume(&t->in, t->pend_total);
		t->pend_total = 0;
		t->pend_len = 0;
		t->pend_payload = NULL;
		t->pend_returned = 0;
	}
}

/* Run the version exchange and transport messages until an upper-layer packet waits. */
static int process(struct tp *t)
{
	uint8_t *p;
	size_t n, total;
	uint32_t seq;
	int r;

	if (!t->started)
		return 0;
	while (!t->dead && t->pend_total == 0) {
		if (t->v_peer == NULL) {
			if ((r = tp_version_input(t)) == ERR_AGAIN)
				return 0;
			if (r != 0)
				return r;
			continue;
		}
		if ((r = tp_pkt_read(t, &p, &n, &total, &seq)) == ERR_AGAIN)
			return 0;
		if (r != 0)
			return r;
		if ((r = tp_dispatch(t, p, n, seq)) < 0)
			return r;
		if (r == 1) {
			t->pend_total = total;
			t->pend_len = n;
			t->pend_payload = p;
		} else {
			buf_consume(&t->in, total);
		}
		if ((r = maybe_rekey(t)) != 0)
			return r;
	}
	return t->dead ? t->dead_err : 0;
}

/* ---- public API ---- */

int tp_start(struct tp *t)
{
	int r;

	if (t->started || t->dead)
		return ERR_BAD_STATE;
	t->started = 1;
	if ((r = tp_version_make(t)) != 0)
		return tp_fail(t, r, SSH_DISCONNECT_BY_APPLICATION, "cannot send version");
	if ((r = tp_kex_begin(t)) != 0)
		return r;
	return process(t);
}

int tp_input(struct tp *t, const uint8_t *data, size_t n)
{
	int r;

	if (t->dead)
		return t->dead_err;
	drop_returned(t);
	t->bytes_in += n;
	if (n > 0 && (r = buf_put(&t->in, data, n)) != 0)
		return tp_fail(t, r, SSH_DISCONNECT_BY_APPLICATION, "input buffer: %s", err_str(r));
	return process(t);
}

void tp_input_eof(struct tp *t)
{
	t->eof = 1;
}

int tp_read_packet(struct tp *t, const uint8_t **payload, size_t *len)
{
	int r;

	if (t->dead)
		return t->dead_err != 0 ? t->dead_err : ERR_BAD_STATE;
	drop_returned(t);
	if ((r = process(t)) != 0)
		return r;
	if (t->pend_total > 0) {
		*payload = t->pend_payload;
		*len = t->pend_len;
		t->pend_returned = 1;
		return 0;
	}
	if (t->eof) {
		/* The peer is gone: no DISCONNECT to queue. */
		snprintf(t->err, sizeof(t->err), "Connection closed by remote host");
		t->dead = 1;
		t->dead_err = ERR_EOF;
		return ERR_EOF;
	}
	return ERR_AGAIN;
}

/* Send now, or hold while our key exchange runs. */
static int send_payload(struct tp *t, const uint8_t *payload, size_t len, int bypass)
{
	int r;

	if (t->dead)
		return t->dead_err != 0 ? t->dead_err : ERR_BAD_STATE;
	if (payload == NULL || len == 0)
		return ERR_INVALID_ARG;
	if (len > TP_MAX_PAYLOAD)
		return ERR_TOO_LARGE;
	if (!bypass && (r = maybe_rekey(t)) != 0)
		return r;
	if (!bypass && (t->hold || !t->started)) {
		if ((r = buf_put_u32(&t->queue, (uint32_t)len)) != 0)
			return r;
		if ((r = buf_put(&t->queue, payload, len)) != 0) {
			buf_consume_end(&t->queue, 4);
			return r;
		}
		return 0;
	}
	if ((r = tp_pkt_send(t, payload, len)) != 0)
		return tp_fail(t, r, SSH_DISCONNECT_BY_APPLICATION, "cannot send packet: %s",
			       err_str(r));
	return 0;
}

int tp_send(struct tp *t, const uint8_t *payload, size_t len)
{
	return send_payload(t, payload, len, 0);
}

int tp_send_reserve(struct tp *t, size_t max, uint8_t **payload)
{
	int r;

	if (t->dead)
		return t->dead_err != 0 ? t->dead_err : ERR_BAD_STATE;
	if (max == 0 || max > TP_MAX_PAYLOAD)
		return ERR_INVALID_ARG;
	if ((r = maybe_rekey(t)) != 0)
		return r;
	if (t->hold || !t->started)
		return ERR_AGAIN; /* a key exchange runs: payloads are queued, by copy */
	return tp_pkt_reserve(t, max, payload);
}

int tp_send_commit(struct tp *t, size_t len)
{
	int r;

	if (t->dead)
		return t->dead_err != 0 ? t->dead_err : ERR_BAD_STATE;
	if (len == 0 || len > TP_MAX_PAYLOAD)
		return ERR_INVALID_ARG;
	if ((r = tp_pkt_commit(t, len)) != 0)
		return tp_fail(t, r, SSH_DISCONNECT_BY_APPLICATION, "cannot send packet: %s",
			       err_str(r));
	return 0;
}

int tp_sendb(struct tp *t, const struct buf *payload)
{
	return send_payload(t, buf_ptr(payload), buf_len(payload), 0);
}

int tp_send_raw(struct tp *t, const uint8_t *payload, size_t len)
{
	if (!t->started)
		return ERR_BAD_STATE;
	return send_payload(t, payload, len, 1);
}

int tp_send_raw_nocomp(struct tp *t, const uint8_t *body, size_t len)
{
	int r;

	t->test_nocomp = 1;
	r = tp_send_raw(t, body, len);
	t->test_nocomp = 0;
	return r;
}

struct buf *tp_outbuf(struct tp *t)
{
	return &t->out;
}

int tp_disconnect(struct tp *t, uint32_t reason, const char *msg)
{
	int r;

	if (t->dead)
		return 0;
	t->dead = 1;
	t->dead_err = 0; /* local decision: input is ignored from now on */
	if (t->err[0] == '\0')
		snprintf(t->err, sizeof(t->err), "Disconnecting: %s", msg != NULL ? msg : "");
	if ((r = send_disconnect(t, reason, msg != NULL ? msg : "")) != 0)
		return r;
	return 0;
}

int tp_rekey(struct tp *t)
{
	if (t->dead || !t->started)
		return ERR_BAD_STATE;
	return tp_kex_begin(t); /* no-op while one is running */
}

int tp_tick(struct tp *t, uint64_t now_sec)
{
	if (!t->have_time) {
		t->have_time = 1;
		t->last_kex_time = now_sec;
	}
	t->now = now_sec;
	return maybe_rekey(t);
}

void tp_set_authenticated(struct tp *t)
{
	t->authenticated = 1;
}

int tp_ready(const struct tp *t)
{
	return t->kex_count > 0;
}

const uint8_t *tp_session_id(const struct tp *t, size_t *len)
{
	*len = t->sid_len;
	return t->sid_len > 0 ? t->session_id : NULL;
}

const char *tp_peer_version(const struct tp *t)
{
	return t->v_peer;
}

const char *tp_server_sig_algs(const struct tp *t)
{
	return t->server_sig_algs;
}

unsigned tp_kex_count(const struct tp *t)
{
	return t->kex_count;
}

const char *tp_kex_name(const struct tp *t)
{
	return t->cur_kex != NULL ? t->cur_kex : "none";
}

const char *tp_cipher_name(const struct tp *t, int outgoing)
{
	const struct tp_dir *d = outgoing ? &t->tx : &t->rx;

	return d->cipher != NULL ? cipher_ctx_alg(d->cipher)->name : "none";
}

const char *tp_mac_name(const struct tp *t, int outgoing)
{
	const struct tp_dir *d = outgoing ? &t->tx : &t->rx;

	return d->cipher != NULL ? cipher_ctx_mac_name(d->cipher) : "none";
}

const char *tp_compression_name(const struct tp *t, int outgoing)
{
	return tp_comp_name((outgoing ? &t->tx : &t->rx)->comp);
}

const char *tp_error(const struct tp *t)
{
	return t->err;
}

uint64_t tp_bytes_in(const struct tp *t)
{
	return t->bytes_in;
}

uint64_t tp_bytes_out(const struct tp *t)
{
	return t->bytes_out;
}

uint64_t tp_payload_bytes_in(const struct tp *t)
{
	return t->payload_in;
}

uint64_t tp_payload_bytes_out(const struct tp *t)
{
	return t->payload_out;
}
