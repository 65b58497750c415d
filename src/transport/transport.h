/*
 * SSH-2 transport (RFC 4253, 4344, 5647, 8308, 8709, 9142; OpenSSH PROTOCOL):
 * version exchange, binary packets, key exchange, rekeying, strict KEX,
 * ext-info. Sans-I/O: the caller feeds received bytes with tp_input(),
 * takes bytes to send from tp_outbuf(), and exchanges payloads with
 * tp_read_packet() / tp_send(). Nothing here touches a socket or a clock;
 * time comes in through tp_tick().
 */
#ifndef BURROW_TRANSPORT_TRANSPORT_H
#define BURROW_TRANSPORT_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/key.h"
#include "wire/buf.h"

/* Message numbers, RFC 4250 section 4.1 and RFC 8308. */
enum {
	SSH_MSG_DISCONNECT = 1,
	SSH_MSG_IGNORE = 2,
	SSH_MSG_UNIMPLEMENTED = 3,
	SSH_MSG_DEBUG = 4,
	SSH_MSG_SERVICE_REQUEST = 5,
	SSH_MSG_SERVICE_ACCEPT = 6,
	SSH_MSG_EXT_INFO = 7,
	SSH_MSG_KEXINIT = 20,
	SSH_MSG_NEWKEYS = 21,
	SSH_MSG_KEX_ECDH_INIT = 30,
	SSH_MSG_KEX_ECDH_REPLY = 31,
	SSH_MSG_USERAUTH_REQUEST = 50,
	SSH_MSG_USERAUTH_FAILURE = 51,
	SSH_MSG_USERAUTH_SUCCESS = 52,
	SSH_MSG_USERAUTH_BANNER = 53,
	SSH_MSG_USERAUTH_PK_OK = 60,
	SSH_MSG_GLOBAL_REQUEST = 80,
	SSH_MSG_REQUEST_SUCCESS = 81,
	SSH_MSG_REQUEST_FAILURE = 82,
	SSH_MSG_CHANNEL_OPEN = 90,
	SSH_MSG_CHANNEL_OPEN_CONFIRMATION = 91,
	SSH_MSG_CHANNEL_OPEN_FAILURE = 92,
	SSH_MSG_CHANNEL_WINDOW_ADJUST = 93,
	SSH_MSG_CHANNEL_DATA = 94,
	SSH_MSG_CHANNEL_EXTENDED_DATA = 95,
	SSH_MSG_CHANNEL_EOF = 96,
	SSH_MSG_CHANNEL_CLOSE = 97,
	SSH_MSG_CHANNEL_REQUEST = 98,
	SSH_MSG_CHANNEL_SUCCESS = 99,
	SSH_MSG_CHANNEL_FAILURE = 100,
};

/* Disconnect reason codes, RFC 4250 section 4.2.2. */
enum {
	SSH_DISCONNECT_HOST_NOT_ALLOWED_TO_CONNECT = 1,
	SSH_DISCONNECT_PROTOCOL_ERROR = 2,
	SSH_DISCONNECT_KEY_EXCHANGE_FAILED = 3,
	SSH_DISCONNECT_MAC_ERROR = 5,
	SSH_DISCONNECT_SERVICE_NOT_AVAILABLE = 7,
	SSH_DISCONNECT_PROTOCOL_VERSION_NOT_SUPPORTED = 8,
	SSH_DISCONNECT_HOST_KEY_NOT_VERIFIABLE = 9,
	SSH_DISCONNECT_CONNECTION_LOST = 10,
	SSH_DISCONNECT_BY_APPLICATION = 11,
	SSH_DISCONNECT_TOO_MANY_CONNECTIONS = 12,
	SSH_DISCONNECT_AUTH_CANCELLED_BY_USER = 13,
	SSH_DISCONNECT_NO_MORE_AUTH_METHODS_AVAILABLE = 14,
	SSH_DISCONNECT_ILLEGAL_USER_NAME = 15,
};

#define TP_MAX_PACKET (256u * 1024) /* largest packet_length we accept or send */
/* Largest payload tp_send takes (fits TP_MAX_PACKET with any block size, padding). */
#define TP_MAX_PAYLOAD (TP_MAX_PACKET - 64)

struct tp_config {
	int server;               /* 1 for burrowd's side */
	const char *kex_algs;     /* comma lists in preference order; NULL = defaults */
	const char *hostkey_algs;
	const char *ciphers;
	const char *macs;         /* NULL = mac_default_list() */
	const char *compression;  /* comma list of "none", "zlib@openssh.com", "zlib"; NULL = "none" */
	uint64_t rekey_bytes;     /* 0 = default for the cipher (OpenSSH: 2^32 bytes for 128-bit blocks) */
	uint32_t rekey_seconds;   /* 0 = no time-based rekey */
	const char *software;     /* version line software field, e.g. "burrow_0.1.0" */
	/* Server: host keys with private halves. */
	struct key *const *hostkeys;
	size_t n_hostkeys;
	/*
	 * Client: called once per key exchange with the server's host key after
	 * its signature over the exchange hash verified. Return 0 to accept,
	 * a negative ERR_* to abort (the transport then fails with that code).
	 */
	int (*check_hostkey)(void *arg, const struct key *hostkey);
	void *arg;
	/* Server: moduli(5) file for diffie-hellman-group-exchange; NULL = /etc/ssh/moduli. */
	const char *moduli_file;
};

struct tp;

int tp_new(const struct tp_config *cfg, struct tp **out);
void tp_free(struct tp *t);

/* Queue our version line and first KEXINIT. Call once, before or after the first tp_input. */
int tp_start(struct tp *t);
/*
 * Feed received bytes. Returns 0, or a negative error after which the
 * connection is dead: a DISCONNECT may have been queued in tp_outbuf()
 * (flush it, then close) and tp_error() describes the failure.
 */
int tp_input(struct tp *t, const uint8_t *data, size_t n);
/* Tell the transport the peer closed the stream. */
void tp_input_eof(struct tp *t);
/*
 * Next payload for the upper layers (message numbers 5..7 and 50..255;
 * transport messages are consumed internally). *payload stays valid until
 * the next tp_read_packet or tp_input. Returns 0, ERR_AGAIN when none is
 * ready, or a negative fatal error.
 */
int tp_read_packet(struct tp *t, const uint8_t **payload, size_t *len);
/* Queue a payload; held back while a key exchange runs, sent in order afterwards. */
int tp_send(struct tp *t, const uint8_t *payload, size_t len);
/*
 * In-place sending, to save copies of bulk data: room for one payload of up
 * to max bytes, to be written at *payload (at the end of the output buffer),
 * then tp_send_commit() with the length actually written frames, pads and
 * encrypts it. Between the two, call nothing else on t; not committing is
 * fine (nothing was queued). ERR_AGAIN when the payload must take tp_send's
 * copying path instead (a key exchange is running, compression is on).
 */
int tp_send_reserve(struct tp *t, size_t max, uint8_t **payload);
int tp_send_commit(struct tp *t, size_t len);
/* Same, from a buffer (the buffer is not modified). */
int tp_sendb(struct tp *t, const struct buf *payload);
/* Bytes ready for the network; the caller buf_consume()s what it wrote. */
struct buf *tp_outbuf(struct tp *t);
/* Queue DISCONNECT; afterwards tp_send fails and input is ignored. */
int tp_disconnect(struct tp *t, uint32_t reason, const char *msg);
/* Begin a key exchange now (no-op if one is running). */
int tp_rekey(struct tp *t);
/* Time passes (monotonic seconds): starts time-based rekeying when due. */
int tp_tick(struct tp *t, uint64_t now_sec);

/* Tell the transport that user authentication succeeded (opens messages >= 80). */
void tp_set_authenticated(struct tp *t);
/* 1 once the first key exchange has completed. */
int tp_ready(const struct tp *t);
const uint8_t *tp_session_id(const struct tp *t, size_t *len);
/* Peer's version line without CR LF, or NULL before it arrived. */
const char *tp_peer_version(const struct tp *t);
/* Client: server-sig-algs from the server's EXT_INFO, or NULL. */
const char *tp_server_sig_algs(const struct tp *t);
/* Number of completed key exchanges. */
unsigned tp_kex_count(const struct tp *t);
/* Negotiated algorithm names of the current keys (for logs). */
const char *tp_kex_name(const struct tp *t);
const char *tp_cipher_name(const struct tp *t, int outgoing);
/* MAC of the current keys: a MAC name, "<implicit>" (AEAD cipher) or "none". */
const char *tp_mac_name(const struct tp *t, int outgoing);
/* Compression of the current keys: "none", "zlib" or "zlib@openssh.com" (even while delayed). */
const char *tp_compression_name(const struct tp *t, int outgoing);
/* After a negotiation failure (ERR_NO_MATCH): our own list for that field, else NULL. */
const char *tp_our_offer(const struct tp *t);
/* Human-readable description of the last fatal error ("" if none). */
const char *tp_error(const struct tp *t);
/* Byte counters of the TCP stream (for logs and tests). */
uint64_t tp_bytes_in(const struct tp *t);
uint64_t tp_bytes_out(const struct tp *t);
/* Payload bytes before compression / after decompression. */
uint64_t tp_payload_bytes_in(const struct tp *t);
uint64_t tp_payload_bytes_out(const struct tp *t);

#endif
