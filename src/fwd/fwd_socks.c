/* SOCKS4 / SOCKS4A / SOCKS5 request parsing and replies, without I/O. */
#include "fwd/fwd_socks.h"

#include <arpa/inet.h>
#include <string.h>

#include "conn/conn.h"
#include "util/err.h"
#include "wire/rd.h"

/* SOCKS4 reply codes (SOCKS4 protocol description, "CD" field). */
#define SOCKS4_GRANTED 90
#define SOCKS4_REJECTED 91

void fwd_socks_init(struct fwd_socks *s)
{
	memset(s, 0, sizeof(*s));
}

/* A NUL-terminated field of at most max bytes (without the NUL); ERR_AGAIN if not all there. */
static int rd_zstring(struct rd *r, size_t max, const uint8_t **p, size_t *n)
{
	const uint8_t *cur = rd_cur(r), *nul;
	size_t left = rd_left(r);

	nul = memchr(cur, 0, left < max + 1 ? left : max + 1);
	if (nul == NULL)
		return left > max ? ERR_TOO_LARGE : ERR_AGAIN;
	*n = (size_t)(nul - cur);
	*p = cur;
	return rd_skip(r, *n + 1);
}

/* SOCKS4: VN=4 CD DSTPORT DSTIP USERID NUL [HOST NUL] (4A: DSTIP 0.0.0.x, x != 0). */
static int parse_socks4(struct fwd_socks *s, struct rd *r, struct buf *out)
{
	const uint8_t *ip, *id, *name;
	uint8_t vn, cd, ph, pl;
	size_t n;
	int r2;

	if (rd_u8(r, &vn) != 0 || rd_u8(r, &cd) != 0 || rd_u8(r, &ph) != 0 || rd_u8(r, &pl) != 0 ||
	    rd_bytes(r, 4, &ip) != 0)
		return ERR_AGAIN;
	if ((r2 = rd_zstring(r, 255, &id, &n)) != 0)
		return r2;
	s->version = 4;
	if (cd != 1) {
		fwd_socks_reply(s, SOCKS5_CMD_UNSUPPORTED, out);
		return ERR_UNSUPPORTED;
	}
	s->port = (uint16_t)(ph << 8 | pl);
	if (ip[0] == 0 && ip[1] == 0 && ip[2] == 0 && ip[3] != 0) {
		if ((r2 = rd_zstring(r, 255, &name, &n)) != 0)
			return r2;
		if (n == 0) {
			fwd_socks_reply(s, SOCKS5_GENERAL_FAILURE, out);
			return ERR_FORMAT;
		}
		s->socks4a = 1;
		memcpy(s->host, name, n);
		s->host[n] = '\0';
	} else if (inet_ntop(AF_INET, ip, s->host, sizeof(s->host)) == NULL) {
		return ERR_FORMAT;
	}
	return FWD_SOCKS_DONE;
}

/* SOCKS5 greeting: VER NMETHODS METHODS; we take only "no authentication" (0). */
static int parse_greeting(struct fwd_socks *s, struct rd *r, struct buf *out)
{
	const uint8_t *m;
	uint8_t ver, nm;

	if (rd_u8(r, &ver) != 0 || rd_u8(r, &nm) != 0 || rd_bytes(r, nm, &m) != 0)
		return ERR_AGAIN;
	s->version = 5;
	if (nm == 0 || memchr(m, 0, nm) == NULL) {
		/* RFC 1928 section 3: X'FF' NO ACCEPTABLE METHODS, then close. */
		buf_put_u8(out, 5);
		buf_put_u8(out, 0xff);
		return ERR_UNSUPPORTED;
	}
	if (buf_put_u8(out, 5) != 0 || buf_put_u8(out, 0) != 0)
		return ERR_ALLOC;
	s->stage = 1;
	return FWD_SOCKS_MORE;
}

/* SOCKS5 request: VER CMD RSV ATYP DST.ADDR DST.PORT (RFC 1928 section 4). */
static int parse_request(struct fwd_socks *s, struct rd *r, struct buf *out)
{
	const uint8_t *a, *pp;
	uint8_t ver, cmd, rsv, atyp, n;

	if (rd_u8(r, &ver) != 0 || rd_u8(r, &cmd) != 0 || rd_u8(r, &rsv) != 0 ||
	    rd_u8(r, &atyp) != 0)
		return ERR_AGAIN;
	if (ver != 5)
		return ERR_PROTOCOL;
	if (cmd != 1) {
		fwd_socks_reply(s, SOCKS5_CMD_UNSUPPORTED, out);
		return ERR_UNSUPPORTED;
	}
	switch (atyp) {
	case 1:
		if (rd_bytes(r, 4, &a) != 0 || rd_bytes(r, 2, &pp) != 0)
			return ERR_AGAIN;
		inet_ntop(AF_INET, a, s->host, sizeof(s->host));
		break;
	case 4:
		if (rd_bytes(r, 16, &a) != 0 || rd_bytes(r, 2, &pp) != 0)
			return ERR_AGAIN;
		inet_ntop(AF_INET6, a, s->host, sizeof(s->host));
		break;
	case 3:
		if (rd_u8(r, &n) != 0 || rd_bytes(r, n, &a) != 0 || rd_bytes(r, 2, &pp) != 0)
			return ERR_AGAIN;
		if (n == 0 || memchr(a, 0, n) != NULL) {
			fwd_socks_reply(s, SOCKS5_GENERAL_FAILURE, out);
			return ERR_FORMAT;
		}
		memcpy(s->host, a, n);
		s->host[n] = '\0';
		break;
	default:
		fwd_socks_reply(s, SOCKS5_ATYP_UNSUPPORTED, out);
		return ERR_UNSUPPORTED;
	}
	s->port = (uint16_t)(pp[0] << 8 | pp[1]);
	return FWD_SOCKS_DONE;
}

int fwd_socks_input(struct fwd_socks *s, const uint8_t *p, size_t len, size_t *used,
		    struct buf *out)
{
	size_t total = 0;
	int r;

	for (;;) {
		struct rd rr;
		uint8_t ver;

		rd_init(&rr, p + total, len - total);
		if (s->stage == 1)
			r = parse_request(s, &rr, out);
		else if (rd_u8(&rr, &ver) != 0)
			r = ERR_AGAIN;
		else if (ver == 4)
			r = (rd_init(&rr, p + total, len - total), parse_socks4(s, &rr, out));
		else if (ver == 5)
			r = (rd_init(&rr, p + total, len - total), parse_greeting(s, &rr, out));
		else
			r = ERR_PROTOCOL;
		if (r == ERR_AGAIN) {
			*used = total;
			return FWD_SOCKS_MORE;
		}
		if (r < 0)
			return r;
		total += rr.off;
		if (r == FWD_SOCKS_DONE) {
			*used = total;
			return r;
		}
	}
}

int fwd_socks_reply(const struct fwd_socks *s, uint8_t code, struct buf *out)
{
	static const uint8_t zero[6];
	int r;

	if (s->version == 4) {
		/* VN=0 CD DSTPORT DSTIP (ignored by clients). */
		r = buf_put_u8(out, 0);
		if (r == 0)
			r = buf_put_u8(out, code == SOCKS5_OK ? SOCKS4_GRANTED : SOCKS4_REJECTED);
		if (r == 0)
			r = buf_put(out, zero, 6);
		return r;
	}
	/* VER REP RSV ATYP=IPv4 BND.ADDR=0.0.0.0 BND.PORT=0. */
	r = buf_put_u8(out, 5);
	if (r == 0)
		r = buf_put_u8(out, code);
	if (r == 0)
		r = buf_put_u8(out, 0);
	if (r == 0)
		r = buf_put_u8(out, 1);
	if (r == 0)
		r = buf_put(out, zero, 6);
	return r;
}

uint8_t fwd_socks_code(uint32_t ssh_reason, const char *msg)
{
	if (ssh_reason == SSH_OPEN_ADMINISTRATIVELY_PROHIBITED)
		return SOCKS5_NOT_ALLOWED;
	if (ssh_reason != SSH_OPEN_CONNECT_FAILED || msg == NULL)
		return SOCKS5_GENERAL_FAILURE;
	/* The server's text is strerror()/gai_strerror() wording (ours and sshd's). */
	if (strstr(msg, "refused") != NULL)
		return SOCKS5_REFUSED;
	if (strstr(msg, "Network is unreachable") != NULL)
		return SOCKS5_NET_UNREACHABLE;
	if (strstr(msg, "timed out") != NULL)
		return SOCKS5_TTL_EXPIRED;
	if (strstr(msg, "unreachable") != NULL || strstr(msg, "No route") != NULL ||
	    strstr(msg, "not known") != NULL || strstr(msg, "resolve") != NULL ||
	    strstr(msg, "No address") != NULL || strstr(msg, "name") != NULL)
		return SOCKS5_HOST_UNREACHABLE;
	return SOCKS5_GENERAL_FAILURE;
}
