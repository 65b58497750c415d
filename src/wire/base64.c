#include "wire/base64.h"

#include "util/err.h"

static const char b64_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int base64_encode(struct buf *out, const void *data, size_t n, int pad)
{
	const uint8_t *s = data;
	size_t start = buf_len(out);
	int r = 0;

	for (size_t i = 0; i < n && r == 0; i += 3) {
		uint32_t v = (uint32_t)s[i] << 16;
		size_t chunk = n - i < 3 ? n - i : 3;
		char q[4];

		if (chunk > 1)
			v |= (uint32_t)s[i + 1] << 8;
		if (chunk > 2)
			v |= s[i + 2];
		q[0] = b64_alphabet[(v >> 18) & 63];
		q[1] = b64_alphabet[(v >> 12) & 63];
		q[2] = chunk > 1 ? b64_alphabet[(v >> 6) & 63] : '=';
		q[3] = chunk > 2 ? b64_alphabet[v & 63] : '=';
		r = buf_put(out, q, pad ? 4 : chunk + 1);
	}
	if (r != 0)
		buf_consume_end(out, buf_len(out) - start);
	return r;
}

static int b64_value(char c)
{
	if (c >= 'A' && c <= 'Z') return c - 'A';
	if (c >= 'a' && c <= 'z') return c - 'a' + 26;
	if (c >= '0' && c <= '9') return c - '0' + 52;
	if (c == '+') return 62;
	if (c == '/') return 63;
	return -1;
}

int base64_decode(struct buf *out, const char *text, size_t n)
{
	size_t start = buf_len(out), pads = 0, nq = 0;
	uint32_t acc = 0;
	int r = 0;

	for (size_t i = 0; i < n && r == 0; i++) {
		char c = text[i];
		int v;

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
			continue;
		if (c == '=') {
			pads++;
			v = 0;
		} else if (pads > 0 || (v = b64_value(c)) < 0) {
			r = ERR_FORMAT;
			break;
		}
		acc = (acc << 6) | (uint32_t)v;
		if (++nq == 4) {
			uint8_t o[3] = { (uint8_t)(acc >> 16), (uint8_t)(acc >> 8), (uint8_t)acc };

			if (pads > 2)
				r = ERR_FORMAT;
			else
				r = buf_put(out, o, 3 - pads);
			nq = 0;
			acc = 0;
		}
	}
	/* Unpadded tails (2 or 3 symbols) are accepted; a lone symbol is not. */
	if (r == 0 && nq == 1)
		r = ERR_FORMAT;
	if (r == 0 && nq > 1) {
		if (pads > 0)
			r = ERR_FORMAT;
		else {
			acc <<= 6 * (4 - nq);
			uint8_t o[2] = { (uint8_t)(acc >> 16), (uint8_t)(acc >> 8) };
			r = buf_put(out, o, nq - 1);
		}
	}
	if (r != 0)
		buf_consume_end(out, buf_len(out) - start);
	return r;
}
