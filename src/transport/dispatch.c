/*
 * Which received message is legal when (one function, tp_dispatch, acting as
 * the per-state table) and the generic messages IGNORE, DEBUG, UNIMPLEMENTED
 * and DISCONNECT (RFC 4253 section 11).
 */
#include <stdio.h>
#include <string.h>

#include "transport/tp_int.h"
#include "util/err.h"
#include "util/log.h"
#include "wire/rd.h"

/* ---- generic messages, RFC 4253 section 11 ---- */

static int send_unimplemented(struct tp *t, uint32_t seq)
{
	uint8_t m[5];
	int r;

	m[0] = SSH_MSG_UNIMPLEMENTED;
	put_u32be(m + 1, seq);
	if ((r = tp_pkt_send(t, m, sizeof(m))) != 0)
		return tp_fail(t, r, SSH_DISCONNECT_BY_APPLICATION, "cannot send UNIMPLEMENTED");
	return 0;
}

/* Printable copy of peer text for logs and error strings. */
static void sanitise(const uint8_t *p, size_t n, char *out, size_t out_len)
{
	size_t i;

	for (i = 0; i < n && i + 1 < out_len; i++)
		out[i] = (p[i] >= 0x20 && p[i] < 0x7f) ? (char)p[i] : '?';
	out[i] = '\0';
}

/* uint32 reason, string description, string language */
static int on_disconnect(struct tp *t, const uint8_t *p, size_t n)
{
	const uint8_t *desc = NULL;
	size_t desc_len = 0;
	char text[256];
	uint32_t code = 0;
	struct rd rd;

	rd_init(&rd, p + 1, n - 1);
	/* A malformed DISCONNECT still ends the connection; report what we could read. */
	if (rd_u32(&rd, &code) == 0 && rd_string(&rd, &desc, &desc_len) == 0 &&
	    rd_string(&rd, NULL, NULL) == 0 && rd_end(&rd) != 0)
		log_debug("trailing bytes in DISCONNECT");
	sanitise(desc, desc_len, text, sizeof(text));
	snprintf(t->err, sizeof(t->err), "Received disconnect from peer: %u: %s", code, text);
	log_debug("%s", t->err);
	t->dead = 1;
	t->dead_err = ERR_DISCONNECTED;
	return ERR_DISCONNECTED;
}

/* boolean always_display, string message, string language */
static int on_debug(struct tp *t, const uint8_t *p, size_t n)
{
	const uint8_t *msg;
	size_t msg_len;
	char text[256];
	int always, r;
	struct rd rd;

	rd_init(&rd, p + 1, n - 1);
	if ((r = rd_bool(&rd, &always)) != 0 || (r = rd_string(&rd, &msg, &msg_len)) != 0 ||
	    (r = rd_string(&rd, NULL, NULL)) != 0 || (r = rd_end(&rd)) != 0)
		return tp_fail(t, r, SSH_DISCONNECT_PROTOCOL_ERROR, "malformed DEBUG message");
	sanitise(msg, msg_len, text, sizeof(text));
	log_msg(always ? LOG_INFO : LOG_DEBUG1, "Remote: %s", text);
	return 0;
}

/* uint32 packet sequence number of rejected message */
static int on_unimplemented(struct tp *t, const uint8_t *p, size_t n)
{
	uint32_t seq;
	struct rd rd;
	int r;

	rd_init(&rd, p + 1, n - 1);
	if ((r = rd_u32(&rd, &seq)) != 0 || (r = rd_end(&rd)) != 0)
		return tp_fail(t, r, SSH_DISCONNECT_PROTOCOL_ERROR, "malformed UNIMPLEMENTED");
	log_verbose("Received SSH2_MSG_UNIMPLEMENTED for %u", seq);
	return 0;
}

/* ---- which message is legal when ---- */

/* The key exchange message we wait for in the current step. */
static int kex_expected(const struct tp *t)
{
	switch (t->kx.step) {
	case TP_KX_WAIT_ECDH:
		return tp_kex_expected(t); /* depends on the method (kex.c) */
	case TP_KX_WAIT_NEWKEYS:
		return SSH_MSG_NEWKEYS;
	default:
		return SSH_MSG_KEXINIT;
	}
}

int tp_dispatch(struct tp *t, const uint8_t *p, size_t n, uint32_t seq)
{
	uint8_t type = p[0];
	int in_peer_kex = t->kx.step == TP_KX_WAIT_ECDH || t->kx.step == TP_KX_WAIT_NEWKEYS;

	/* RFC 4253 7: a wrongly guessed KEX method packet is silently dropped. */
	if (t->kx.step == TP_KX_WAIT_ECDH && t->kx.algs.ignore_guess && type >= 30 && type <= 49) {
		t->kx.algs.ignore_guess = 0;
		log_debug("ignoring wrongly guessed KEX packet %u", type);
		return 0;
	}
	if (type == kex_expected(t)) {
		switch (type) {
		case SSH_MSG_KEXINIT:
			return tp_kex_on_kexinit(t, p, n, seq);
		case SSH_MSG_NEWKEYS:
			return tp_kex_on_newkeys(t, p, n);
		default:
			return tp_kex_on_method(t, p, n);
		}
	}
	/* The peer is leaving either way: report its reason rather than a violation. */
	if (type == SSH_MSG_DISCONNECT)
		return on_disconnect(t, p, n);
	/* OpenSSH PROTOCOL 1.10: nothing else at all during a strict initial KEX. */
	if (t->strict && t->kex_count == 0)
		return tp_fail(t, ERR_PROTOCOL, SSH_DISCONNECT_PROTOCOL_ERROR,
			       "strict KEX violation: unexpected message %u during initial key exchange",
			       type);
	switch (type) {
	case SSH_MSG_IGNORE:
		return 0;
	case SSH_MSG_UNIMPLEMENTED:
		return on_unimplemented(t, p, n);
	case SSH_MSG_DEBUG:
		return on_debug(t, p, n);
	}
	if (in_peer_kex) {
		/* RFC 4253 7.1: only generic transport messages besides the KEX ones. */
		if (type >= 8 && type <= 19)
			return send_unimplemented(t, seq);
		return tp_fail(t, ERR_PROTOCOL, SSH_DISCONNECT_PROTOCOL_ERROR,
			       "protocol error: unexpected message %u during key exchange", type);
	}
	if (type == SSH_MSG_KEXINIT || type == SSH_MSG_NEWKEYS)
		return tp_fail(t, ERR_PROTOCOL, SSH_DISCONNECT_PROTOCOL_ERROR,
			       "protocol error: unexpected message %u", type);
	if (type < 50 && type != SSH_MSG_SERVICE_REQUEST && type != SSH_MSG_SERVICE_ACCEPT &&
	    type != SSH_MSG_EXT_INFO)
		return send_unimplemented(t, seq);
	if (t->kex_count == 0)
		return tp_fail(t, ERR_PROTOCOL, SSH_DISCONNECT_PROTOCOL_ERROR,
			       "protocol error: message %u before key exchange", type);
	if (type == SSH_MSG_EXT_INFO)
		return tp_extinfo_input(t, p, n);
	if (type >= SSH_MSG_GLOBAL_REQUEST && !t->authenticated)
		return tp_fail(t, ERR_PROTOCOL, SSH_DISCONNECT_PROTOCOL_ERROR,
			       "protocol error: message %u before authentication", type);
	return 1;
}
