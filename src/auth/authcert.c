/*
 * User certificates against TrustedUserCAKeys (sshd_config(5)), with the
 * certificate's critical options and extensions (PROTOCOL.certkeys).
 */
#include "auth/authcert.h"

#include <stdlib.h>
#include <string.h>

#include "auth/auth_int.h"
#include "auth/lines.h"
#include "config/match.h"
#include "util/err.h"
#include "util/log.h"

/* OpenSSH 9.2's default CASignatureAlgorithms (sshd_config(5)), without the sk- types. */
#define AC_CA_SIG_DEFAULT                                                              \
	"ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,"     \
	"rsa-sha2-512,rsa-sha2-256"

int authcert_key_in_file(const char *path, const struct key *key)
{
	struct auth_lines *l;
	int found = 0;

	if ((l = malloc(sizeof(*l))) == NULL)
		return 0;
	if (auth_lines_open(l, path) != 0) {
		log_debug("Could not open CA keys file '%s'", path);
		free(l);
		return 0;
	}
	while (!found) {
		struct key *k = NULL;
		char *line, *p;
		int r;

		if ((r = auth_lines_next(l, &line)) == ERR_EOF)
			break;
		if (r == ERR_TOO_LARGE || r == ERR_FORMAT)
			continue;
		if (r != 0)
			break;
		p = auth_skip_ws(line);
		auth_rstrip(p);
		if (*p == '\0' || *p == '#')
			continue;
		if (key_parse_public_line(p, &k, NULL) != 0) {
			log_debug3("%s:%lu: not a key we can use, skipped", path, l->lineno);
			continue;
		}
		found = key_equal(k, key);
		key_free(k);
	}
	auth_lines_close(l);
	free(l);
	return found;
}

/* The certificate's critical options and extensions as authorized_keys options. */
static int ac_opts(const struct key_cert_info *ci, struct authkey_opts **out)
{
	struct authkey_opts *o;

	if ((o = calloc(1, sizeof(*o))) == NULL)
		return ERR_ALLOC;
	if (ci->force_command != NULL && (o->command = strdup(ci->force_command)) == NULL) {
		authkey_opts_free(o);
		return ERR_ALLOC;
	}
	o->no_port_forwarding = (ci->ext & KEY_CERT_EXT_PORT) == 0;
	o->no_pty = (ci->ext & KEY_CERT_EXT_PTY) == 0;
	o->no_agent_forwarding = (ci->ext & KEY_CERT_EXT_AGENT) == 0;
	o->no_x11_forwarding = (ci->ext & KEY_CERT_EXT_X11) == 0;
	o->no_user_rc = (ci->ext & KEY_CERT_EXT_USER_RC) == 0;
	*out = o;
	return 0;
}

int authcert_check_user(const char *ca_file, const char *ca_sig_algs, const struct key *cert,
			const char *user, const char *addr, time_t now,
			struct authkey_opts **opts)
{
	const struct key_cert_info *ci = key_cert_info(cert);
	const struct key *ca = key_cert_signer(cert);
	char ca_desc[AUTH_DESC_MAX];
	const char *why = NULL;
	int r;

	if (ci == NULL || ca == NULL)
		return ERR_INVALID_ARG;
	auth_key_desc(ca, ca_desc, sizeof(ca_desc));
	if (ca_file == NULL || strcmp(ca_file, "none") == 0 || !authcert_key_in_file(ca_file, ca)) {
		log_debug2("CA %s is not listed in %s", ca_desc, ca_file != NULL ? ca_file : "(none)");
		return ERR_NOT_FOUND;
	}
	if (!auth_list_has(ca_sig_algs != NULL ? ca_sig_algs : AC_CA_SIG_DEFAULT, ci->sig_alg)) {
		log_error("CA %s signature algorithm %s not in CASignatureAlgorithms", ca_desc,
			  ci->sig_alg);
		return ERR_PERMISSION;
	}
	/* Without AuthorizedPrincipalsFile the principal must be the user name (sshd's default). */
	if (key_cert_check(cert, KEY_CERT_USER, user, now < 0 ? 0 : (uint64_t)now, &why) != 0) {
		log_error("%s", why);
		return ERR_PERMISSION;
	}
	if (ci->unknown_critical != NULL) {
		log_error("Certificate critical option \"%s\" is not supported",
			  ci->unknown_critical);
		return ERR_PERMISSION;
	}
	if (ci->source_address != NULL) {
		int m;

		if (cfg_match_addr_list(NULL, ci->source_address) != 0) {
			log_error("Certificate source-address contents invalid");
			return ERR_PERMISSION;
		}
		m = addr != NULL ? cfg_match_addr_list(addr, ci->source_address) : 0;
		if (m != 1) {
			log_info("Authentication tried for %s with valid certificate but not from a "
				 "permitted source address (%s).", user, addr != NULL ? addr : "unknown");
			return ERR_PERMISSION;
		}
	}
	if ((r = ac_opts(ci, opts)) != 0)
		return r;
	log_verbose("Accepted certificate ID \"%s\" (serial %llu) signed by %s CA via %s",
		    ci->key_id, (unsigned long long)ci->serial, ca_desc, ca_file);
	return 0;
}
