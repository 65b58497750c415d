/*
 * SSH_MSG_EXT_INFO, RFC 8308 section 2.3:
 *   byte SSH_MSG_EXT_INFO, uint32 nr-extensions, repeated { string name, string value }
 */
#include <stdlib.h>
#include <string.h>

#include "transport/tp_int.h"
#include "util/err.h"
#include "util/log.h"
#include "wire/rd.h"

/*
 * Signature algorithms we verify for user authentication (RFC 8308 3.1): as
 * sshd, every plain algorithm we know (key_alg_supported_list() without the
 * certificate names), whatever PubkeyAcceptedAlgorithms says. Clients pick
 * rsa-sha2-* for RSA keys only if listed here (RFC 8332 section 3.1).
 */
#define TP_SERVER_SIG_ALGS "ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384," \
	"ecdsa-sha2-nistp521,rsa-sha2-512,rsa-sha2-256,ssh-rsa"

int tp_extinfo_send(struct tp *t)
{
	struct buf m;
	int r;

	buf_init(&m);
	if ((r = buf_put_u8(&m, SSH_MSG_EXT_INFO)) != 0 || (r = buf_put_u32(&m, 1)) != 0 ||
	    (r = buf_put_cstring(&m, "server-sig-algs")) != 0 ||
	    (r = buf_put_cstring(&m, TP_SERVER_SIG_ALGS)) != 0 ||
	    (r = tp_pkt_send(t, buf_ptr(&m), buf_len(&m))) != 0) {
		r = tp_fail(t, r, SSH_DISCONNECT_BY_APPLICATION, "cannot send EXT_INFO");
		goto out;
	}
	log_debug("Sending SSH2_MSG_EXT_INFO");
out:
	buf_free(&m);
	return r;
}

int tp_extinfo_input(struct tp *t, const uint8_t *p, size_t n)
{
	const uint8_t *name, *val;
	size_t name_len, val_len;
	char *sig_algs = NULL;
	uint32_t count;
	struct rd rd;
	int r;

	rd_init(&rd, p + 1, n - 1);
	if ((r = rd_u32(&rd, &count)) != 0)
		goto out;
	/* Each entry takes at least 8 bytes, so a huge count fails on truncation. */
	for (uint32_t i = 0; i < count; i++) {
		if ((r = rd_string(&rd, &name, &name_len)) != 0 ||
		    (r = rd_string(&rd, &val, &val_len)) != 0)
			goto out;
		log_debug("SSH2_MSG_EXT_INFO received: %.*s", (int)(name_len > 64 ? 64 : name_len),
			  (const char *)name);
		/* Unknown extensions (ping@openssh.com, publickey-hostbound@openssh.com...) are ignored. */
		if (t->server || name_len != strlen("server-sig-algs") ||
		    memcmp(name, "server-sig-algs", name_len) != 0)
			continue;
		if (memchr(val, '\0', val_len) != NULL) {
			r = ERR_FORMAT;
			goto out;
		}
		free(sig_algs);
		if ((sig_algs = strndup((const char *)val, val_len)) == NULL) {
			r = ERR_ALLOC;
			goto out;
		}
	}
	if ((r = rd_end(&rd)) != 0)
		goto out;
	if (sig_algs != NULL) {
		log_debug("kex_ext_info_client_parse: server-sig-algs=<%s>", sig_algs);
		free(t->server_sig_algs);
		t->server_sig_algs = sig_algs;
		sig_algs = NULL;
	}
out:
	free(sig_algs);
	if (r != 0)
		return tp_fail(t, r, SSH_DISCONNECT_PROTOCOL_ERROR, "malformed EXT_INFO");
	return 0;
}
