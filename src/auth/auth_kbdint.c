/* The "keyboard-interactive" method's messages, RFC 4256 section 3. */
#include "auth/auth_int.h"

#include <stdlib.h>
#include <string.h>

#include "transport/transport.h"
#include "util/err.h"
#include "util/mem.h"

/*
 * string name, string instruction, string language tag, int num-prompts,
 * {string prompt, bool echo}
 */
int auth_kbdint_info_request(struct buf *b, const char *prompt, int echo)
{
	int r;

	if ((r = buf_put_u8(b, SSH_MSG_USERAUTH_INFO_REQUEST)) != 0 ||
	    (r = buf_put_cstring(b, "")) != 0 || (r = buf_put_cstring(b, "")) != 0 ||
	    (r = buf_put_cstring(b, "")) != 0 || (r = buf_put_u32(b, 1)) != 0 ||
	    (r = buf_put_cstring(b, prompt)) != 0 || (r = buf_put_bool(b, echo)) != 0)
		return r;
	return 0;
}

/* int num-responses, {string response} */
int auth_kbdint_parse_response(struct rd *r, uint32_t expect, char **first)
{
	const uint8_t *p = NULL;
	size_t n = 0;
	uint32_t count;

	if (rd_u32(r, &count) != 0 || count != expect)
		return ERR_FORMAT;
	for (uint32_t i = 0; i < count; i++) {
		const uint8_t *q;
		size_t m;

		if (rd_string(r, &q, &m) != 0)
			return ERR_FORMAT;
		if (i == 0) {
			p = q;
			n = m;
		}
	}
	if (rd_end(r) != 0)
		return ERR_FORMAT;
	if (count == 0) {
		*first = NULL;
		return 0;
	}
	return auth_secret_copy(p, n, first);
}

void auth_kbdint_req_free(struct auth_kbdint_req *q)
{
	free(q->name);
	free(q->instruction);
	for (uint32_t i = 0; i < q->n; i++)
		free(q->prompt[i]);
	memset(q, 0, sizeof(*q));
}

int auth_kbdint_parse_request(struct rd *r, struct auth_kbdint_req *out)
{
	struct auth_kbdint_req q;
	uint32_t n;
	int e = ERR_FORMAT;

	memset(&q, 0, sizeof(q));
	if (rd_cstring(r, &q.name) != 0 || rd_cstring(r, &q.instruction) != 0 ||
	    rd_string(r, NULL, NULL) != 0 || rd_u32(r, &n) != 0 || n > AUTH_KBDINT_MAX_PROMPTS)
		goto out;
	for (q.n = 0; q.n < n; q.n++)
		if (rd_cstring(r, &q.prompt[q.n]) != 0 || rd_bool(r, &q.echo[q.n]) != 0) {
			if (q.prompt[q.n] != NULL)
				q.n++;
			goto out;
		}
	if (rd_end(r) != 0)
		goto out;
	*out = q;
	return 0;
out:
	auth_kbdint_req_free(&q);
	return e;
}

int auth_kbdint_response(struct buf *b, char *const *answers, uint32_t n)
{
	int r;

	if ((r = buf_put_u8(b, SSH_MSG_USERAUTH_INFO_RESPONSE)) != 0 || (r = buf_put_u32(b, n)) != 0)
		return r;
	for (uint32_t i = 0; i < n; i++)
		if ((r = buf_put_cstring(b, answers[i] != NULL ? answers[i] : "")) != 0)
			return r;
	return 0;
}

int auth_kbdint_request(struct buf *b, const char *user, const char *service)
{
	int r;

	if ((r = buf_put_u8(b, SSH_MSG_USERAUTH_REQUEST)) != 0 ||
	    (r = buf_put_cstring(b, user)) != 0 || (r = buf_put_cstring(b, service)) != 0 ||
	    (r = buf_put_cstring(b, "keyboard-interactive")) != 0 ||
	    (r = buf_put_cstring(b, "")) != 0 || (r = buf_put_cstring(b, "")) != 0)
		return r;
	return 0;
}
