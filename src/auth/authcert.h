/*
 * User certificates on the server, sshd(8) with TrustedUserCAKeys
 * (sshd_config(5)) and no AuthorizedPrincipalsFile: the certificate must
 * be signed by a listed CA with an allowed signature algorithm, be a valid
 * user certificate now, and list the user name as a principal. Its
 * critical options force-command and source-address are enforced and an
 * unknown critical option refuses it; its extensions become authorized_keys
 * style restrictions (no permit-port-forwarding = no-port-forwarding, ...).
 */
#ifndef BURROW_AUTH_AUTHCERT_H
#define BURROW_AUTH_AUTHCERT_H

#include <time.h>

#include "auth/authkeys.h"
#include "crypto/key.h"

/*
 * May certificate `cert` log in as user from addr at now? ca_file is the
 * TrustedUserCAKeys file (NULL or "none": no CAs), ca_sig_algs the
 * CASignatureAlgorithms list (NULL: OpenSSH's default). Returns 0 with
 * *opts (caller frees) holding force-command and the restrictions;
 * ERR_NOT_FOUND when the CA is not listed; ERR_PERMISSION when the
 * certificate is refused (logged with OpenSSH's reason).
 */
int authcert_check_user(const char *ca_file, const char *ca_sig_algs, const struct key *cert,
			const char *user, const char *addr, time_t now,
			struct authkey_opts **opts);
/* 1 if the file at path lists key (one public key per line, '#' comments). */
int authcert_key_in_file(const char *path, const struct key *key);

#endif
