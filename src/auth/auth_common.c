#include "auth/auth_int.h"

#include <stdio.h>
#include <string.h>

#include "transport/transport.h"

void auth_key_desc(const struct key *k, char *out, size_t len)
{
	char fp[KEY_FP_MAX];
	const char *type;

	switch (key_type(k)) {
	case KEY_ED25519: type = "ED25519"; break;
	default: type = key_type_name(k); break;
	}
	if (key_fingerprint(k, fp, sizeof(fp)) != 0)
		snprintf(fp, sizeof(fp), "(no fingerprint)");
	snprintf(out, len, "%s %s", type, fp);
}

int auth_pk_signed_data(struct buf *out, const uint8_t *sid, size_t sid_len, const char *user,
			const char *service, const char *alg, const uint8_t *blob, size_t blob_len)
{
	int r;

	if ((r = buf_put_string(out, sid, sid_len)) != 0 ||
	    (r = buf_put_u8(out, SSH_MSG_USERAUTH_REQUEST)) != 0 ||
	    (r = buf_put_cstring(out, user)) != 0 ||
	    (r = buf_put_cstring(out, service)) != 0 ||
	    (r = buf_put_cstring(out, "publickey")) != 0 ||
	    (r = buf_put_bool(out, 1)) != 0 ||
	    (r = buf_put_cstring(out, alg)) != 0 ||
	    (r = buf_put_string(out, blob, blob_len)) != 0)
		return r;
	return 0;
}

int auth_list_has(const char *list, const char *name)
{
	size_t n = strlen(name);

	while (list != NULL && *list != '\0') {
		size_t m = strcspn(list, ",");

		if (m == n && strncmp(list, name, n) == 0)
			return 1;
		list += m;
		if (*list == ',')
			list++;
	}
	return 0;
}
