/* Protocol version exchange, RFC 4253 section 4.2. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "transport/tp_int.h"
#include "util/err.h"
#include "util/log.h"
#include "util/mem.h"

/* Our line "SSH-2.0-<software>"; queued with CR LF by tp_start. */
int tp_version_make(struct tp *t)
{
	const char *sw = t->software != NULL ? t->software : "burrow_0.1.0";
	size_t n = strlen("SSH-2.0-") + strlen(sw) + 1;
	int r;

	/* Leave room for CR LF within the 255-byte limit. */
	if (n - 1 + 2 > TP_VERSION_MAX_LINE)
		return ERR_TOO_LARGE;
	if ((t->v_ours = malloc(n)) == NULL)
		return ERR_ALLOC;
	snprintf(t->v_ours, n, "SSH-2.0-%s", sw);
	if ((r = buf_put(&t->out, t->v_ours, n - 1)) != 0 ||
	    (r = buf_put(&t->out, "\r\n", 2)) != 0)
		return r;
	t->bytes_out += n + 1;
	return 0;
}

/* Copy a line for an error message, replacing what is not printable. */
static void sanitise(const uint8_t *p, size_t n, char *out, size_t out_len)
{
	size_t i;

	for (i = 0; i < n && i + 1 < out_len; i++)
		out[i] = (p[i] >= 0x20 && p[i] < 0x7f) ? (char)p[i] : '?';
	out[i] = '\0';
}

/* Parse "SSH-<major>.<minor>-<rest>"; -1 if the line does not have that shape. */
static int parse_version(const char *line, unsigned *major, unsigned *minor)
{
	const char *s = line + 4;
	unsigned v[2] = { 0, 0 };

	for (int i = 0; i < 2; i++) {
		int digits = 0;

		while (*s >= '0' && *s <= '9' && digits < 4) {
			v[i] = v[i] * 10 + (unsigned)(*s - '0');
			s++;
			digits++;
		}
		if (digits == 0 || *s != (i == 0 ? '.' : '-'))
			return -1;
		s++;
	}
	*major = v[0];
	*minor = v[1];
	return 0;
}

/* One complete line of n bytes (terminator stripped). 0 = version found, ERR_AGAIN = keep going. */
static int version_line(struct tp *t, const uint8_t *p, size_t n)
{
	char clean[TP_VERSION_MAX_LINE + 1];
	unsigned major, minor;

	sanitise(p, n, clean, sizeof(clean));
	if (n < 4 || memcmp(p, "SSH-", 4) != 0) {
		if (t->server)
			return tp_fail(t, ERR_PROTOCOL, SSH_DISCONNECT_PROTOCOL_ERROR,
				       "Bad protocol version identification '%s'", clean);
		/* RFC 4253 4.2: a server may send other lines first. */
		if (++t->pre_lines > TP_VERSION_MAX_LINES)
			return tp_fail(t, ERR_PROTOCOL, SSH_DISCONNECT_PROTOCOL_ERROR,
				       "Too many lines before the protocol version identification");
		log_debug("banner line %u: %s", t->pre_lines, clean);
		return ERR_AGAIN;
	}
	if (memchr(p, '\0', n) != NULL || parse_version(clean, &major, &minor) != 0)
		return tp_fail(t, ERR_PROTOCOL, SSH_DISCONNECT_PROTOCOL_ERROR,
			       "Bad protocol version identification '%s'", clean);
	if (major != 2 && !(major == 1 && minor == 99))
		return tp_fail(t, ERR_PROTOCOL, SSH_DISCONNECT_PROTOCOL_VERSION_NOT_SUPPORTED,
			       "Protocol major versions differ: 2 vs. %u", major);
	if ((t->v_peer = malloc(n + 1)) == NULL)
		return tp_fail(t, ERR_ALLOC, SSH_DISCONNECT_BY_APPLICATION, "out of memory");
	memcpy(t->v_peer, p, n);
	t->v_peer[n] = '\0';
	log_debug("Remote protocol version %u.%u, remote software version %s", major, minor,
		  strchr(clean + 4, '-') + 1);
	return 0;
}

int tp_version_input(struct tp *t)
{
	for (;;) {
		const uint8_t *p = buf_ptr(&t->in), *lf;
		size_t avail = buf_len(&t->in), scan, n;
		int r;

		scan = avail < TP_VERSION_MAX_LINE ? avail : TP_VERSION_MAX_LINE;
		lf = scan > 0 ? memchr(p, '\n', scan) : NULL;
		if (lf == NULL) {
			if (avail >= TP_VERSION_MAX_LINE)
				return tp_fail(t, ERR_TOO_LARGE, SSH_DISCONNECT_PROTOCOL_ERROR,
					       "%s line too long",
					       t->server ? "Protocol identification" :
							   "Banner or protocol identification");
			return ERR_AGAIN;
		}
		n = (size_t)(lf - p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		r = version_line(t, p, n);
		buf_consume(&t->in, (size_t)(lf - p) + 1);
		if (r != ERR_AGAIN)
			return r;
	}
}
