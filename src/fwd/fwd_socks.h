/*
 * A sans-I/O SOCKS server side (SOCKS4, SOCKS4A, SOCKS5 CONNECT without
 * authentication, RFC 1928) for dynamic forwarding: bytes in, the target and
 * the bytes to answer out. No socket is touched here.
 */
#ifndef BURROW_FWD_FWD_SOCKS_H
#define BURROW_FWD_FWD_SOCKS_H

#include <stddef.h>
#include <stdint.h>

#include "wire/buf.h"

#define FWD_SOCKS_MORE 1 /* feed more bytes */
#define FWD_SOCKS_DONE 2 /* request complete: host and port are set */

/* SOCKS5 reply codes (RFC 1928 section 6). */
enum {
	SOCKS5_OK = 0x00,
	SOCKS5_GENERAL_FAILURE = 0x01,
	SOCKS5_NOT_ALLOWED = 0x02,
	SOCKS5_NET_UNREACHABLE = 0x03,
	SOCKS5_HOST_UNREACHABLE = 0x04,
	SOCKS5_REFUSED = 0x05,
	SOCKS5_TTL_EXPIRED = 0x06,
	SOCKS5_CMD_UNSUPPORTED = 0x07,
	SOCKS5_ATYP_UNSUPPORTED = 0x08,
};

struct fwd_socks {
	int stage;      /* 0: first message; 1: SOCKS5 request after the method reply */
	int version;    /* 4 or 5 once known */
	int socks4a;    /* SOCKS4A: the name follows the user id */
	char host[256]; /* numeric address or name as the client gave it */
	uint16_t port;
};

void fwd_socks_init(struct fwd_socks *s);
/*
 * Feed the bytes received and not yet consumed (p, len). Returns
 * FWD_SOCKS_MORE or FWD_SOCKS_DONE with *used set to the bytes consumed (the
 * rest belongs to the next stage or, after DONE, to the connection), or a
 * negative ERR_*: the client must be disconnected. Bytes to send back (the
 * SOCKS5 method choice, or an error reply) are appended to out in every case.
 */
int fwd_socks_input(struct fwd_socks *s, const uint8_t *p, size_t len, size_t *used,
		    struct buf *out);
/*
 * Append the final answer: code is a SOCKS5 reply code (SOCKS5_OK for
 * success); SOCKS4 gets "granted" or "rejected".
 */
int fwd_socks_reply(const struct fwd_socks *s, uint8_t code, struct buf *out);
/* The SOCKS5 code for an SSH channel open failure (RFC 4254 reason and text). */
uint8_t fwd_socks_code(uint32_t ssh_reason, const char *msg);

#endif
