/* Public key lines ("ssh-ed25519 AAAA... comment") and .pub files. */
#include "crypto/key_int.h"

#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "util/mem.h"
#include "wire/base64.h"

#define KEY_PUB_FILE_MAX (64u * 1024)

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int key_parse_public_line(const char *line, struct key **out, char **comment)
{
	const char *type, *b64, *rest, *end;
	size_t type_len, b64_len;
	struct key *k = NULL;
	char *cmt = NULL;
	struct buf blob;
	int r;

	buf_init(&blob);
	type = line;
	while (*type == ' ' || *type == '\t')
		type++;
	type_len = strcspn(type, " \t\r\n");
	b64 = type + type_len;
	while (*b64 == ' ' || *b64 == '\t')
		b64++;
	b64_len = strcspn(b64, " \t\r\n");
	if (type_len == 0 || b64_len == 0) {
		r = ERR_FORMAT;
		goto out;
	}
	if (key_impl_by_name(type, type_len) == NULL && !key_cert_name_known(type, type_len)) {
		r = ERR_KEY_TYPE;
		goto out;
	}
	if ((r = base64_decode(&blob, b64, b64_len)) != 0)
		goto out;
	if ((r = key_from_blob(buf_ptr(&blob), buf_len(&blob), &k)) != 0)
		goto out;
	/* The blob names its own type; it must agree with the line's. */
	if (strlen(key_type_name(k)) != type_len || memcmp(key_type_name(k), type, type_len) != 0) {
		r = ERR_FORMAT;
		goto out;
	}
	if (comment != NULL) {
		rest = b64 + b64_len;
		while (*rest == ' ' || *rest == '\t')
			rest++;
		end = rest + strlen(rest);
		while (end > rest && is_space(end[-1]))
			end--;
		if ((cmt = strndup(rest, (size_t)(end - rest))) == NULL) {
			r = ERR_ALLOC;
			goto out;
		}
		*comment = cmt;
	}
	*out = k;
	k = NULL;
out:
	key_free(k);
	buf_free(&blob);
	return r;
}

int key_format_public(const struct key *k, struct buf *out)
{
	size_t start = buf_len(out);
	struct buf blob;
	int r;

	buf_init(&blob);
	if ((r = key_to_blob(k, &blob)) != 0)
		goto out;
	if ((r = buf_put(out, key_type_name(k), strlen(key_type_name(k)))) != 0 ||
	    (r = buf_put_u8(out, ' ')) != 0 ||
	    (r = base64_encode(out, buf_ptr(&blob), buf_len(&blob), 1)) != 0)
		buf_consume_end(out, buf_len(out) - start);
out:
	buf_free(&blob);
	return r;
}

int key_load_public(const char *path, struct key **out, char **comment)
{
	struct buf file;
	char *line, *next;
	int r = ERR_FORMAT;

	buf_init(&file);
	if ((r = key_read_file(path, KEY_PUB_FILE_MAX, &file)) != 0)
		goto out;
	/* The first line that is neither blank nor a '#' comment. */
	r = ERR_FORMAT;
	for (line = (char *)buf_mutable_ptr(&file); line != NULL; line = next) {
		char *p = line;

		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		while (is_space(*p))
			p++;
		if (*p == '\0' || *p == '#')
			continue;
		r = key_parse_public_line(p, out, comment);
		break;
	}
out:
	buf_free(&file);
	return r;
}
