/* Which keys may log in as which user: passwd lookup, PermitRootLogin, AuthorizedKeysFile. */
#include "server/server.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "auth/authcert.h"
#include "auth/authkeys.h"
#include "util/err.h"
#include "util/log.h"

/* Expand %h, %u and %% (sshd_config TOKENS); relative paths are under the home directory. */
static int expand_path(const char *pattern, const struct passwd *pw, char *out, size_t outlen)
{
	size_t n = 0;
	const char *p = pattern;

	if (pattern[0] != '/' && pattern[0] != '%') {
		int w = snprintf(out, outlen, "%s/", pw->pw_dir);

		if (w < 0 || (size_t)w >= outlen)
			return ERR_TOO_LARGE;
		n = (size_t)w;
	}
	for (; *p != '\0'; p++) {
		const char *add = NULL;
		char one[2] = { *p, '\0' };

		if (*p == '%') {
			p++;
			if (*p == 'h')
				add = pw->pw_dir;
			else if (*p == 'u')
				add = pw->pw_name;
			else if (*p == '%')
				add = "%";
			else
				return ERR_FORMAT;
		} else {
			add = one;
		}
		if (strlen(add) >= outlen - n)
			return ERR_TOO_LARGE;
		memcpy(out + n, add, strlen(add));
		n += strlen(add);
	}
	out[n] = '\0';
	return 0;
}

/* Is name one of the entries of the comma-separated list? */
static int list_has(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = list; *p != '\0';) {
		const char *end = strchr(p, ',');
		size_t len = end != NULL ? (size_t)(end - p) : strlen(p);

		if (len == n && strncmp(p, name, n) == 0)
			return 1;
		if (end == NULL)
			break;
		p = end + 1;
	}
	return 0;
}

int server_alg_allowed(const struct server_config *global, const struct scfg_conn_info *conn,
		       const char *user, const char *alg)
{
	struct server_config eff;
	struct scfg_conn_info ci = *conn;
	int ok = 0;

	ci.user = user;
	if (scfg_copy(global, &eff) != 0)
		return 0;
	if (scfg_apply_match(&eff, &ci) == 0)
		ok = eff.pubkey_accepted_algorithms == NULL ||
		     list_has(eff.pubkey_accepted_algorithms, alg);
	scfg_free(&eff);
	return ok;
}

int server_check_key(const struct server_config *global, const struct scfg_conn_info *conn,
		     const char *user, const struct key *key, struct authkey_opts **opts)
{
	struct passwd *pw = getpwnam(user);
	struct server_config eff, *cfg = &eff;
	struct scfg_conn_info ci = *conn;
	int allowed = pw != NULL, r;

	/* Match User/Group/Address blocks may change PermitRootLogin and AuthorizedKeysFile. */
	ci.user = user;
	if (scfg_copy(global, &eff) != 0)
		return ERR_ALLOC;
	if (scfg_apply_match(&eff, &ci) != 0) {
		scfg_free(&eff);
		return ERR_PERMISSION;
	}

	/* Unknown users and refused users take the same path and get the same answer. */
	if (pw != NULL && geteuid() != 0 && pw->pw_uid != geteuid()) {
		log_debug("user %s is not the user burrowd runs as", user);
		allowed = 0;
	}
	if (pw != NULL && pw->pw_uid == 0 && (cfg->permit_root_login == PERMIT_ROOT_NO ||
					      cfg->permit_root_login == PERMIT_ROOT_FORCED_COMMANDS_ONLY)) {
		log_info("ROOT LOGIN REFUSED for %s (PermitRootLogin)", user);
		allowed = 0;
	}
	if (!allowed) {
		scfg_free(&eff);
		return ERR_PERMISSION;
	}
	/*
	 * A certificate is trusted through TrustedUserCAKeys (a system file, read
	 * with our own rights as sshd does), never by its key in authorized_keys.
	 */
	if (key_is_cert(key)) {
		r = authcert_check_user(cfg->trusted_user_ca_keys, cfg->ca_signature_algorithms, key,
					user, ci.addr, time(NULL), opts);
		scfg_free(&eff);
		return r == 0 ? 0 : ERR_PERMISSION;
	}
	/* Read the user's files with the user's rights, as sshd does. */
	if (geteuid() == 0 && pw->pw_uid != 0 && (setegid(pw->pw_gid) != 0 || seteuid(pw->pw_uid) != 0)) {
		log_error("cannot take the rights of %s to read its keys", user);
		if (setegid(0) != 0)
			_exit(255);
		scfg_free(&eff);
		return ERR_PERMISSION;
	}
	r = ERR_PERMISSION;
	for (int i = 0; i < cfg->n_authorized_keys_files; i++) {
		char path[4096];

		if (strcmp(cfg->authorized_keys_files[i], "none") == 0)
			continue;
		if (expand_path(cfg->authorized_keys_files[i], pw, path, sizeof(path)) != 0)
			continue;
		/* StrictModes: a file others could have written is not trusted (sshd(8)). */
		if (cfg->strict_modes != 0 &&
		    scfg_strict_modes_check(path, pw->pw_uid, pw->pw_dir) != 0)
			continue;
		r = authkeys_check_file_user(path, user, key, ci.addr, ci.host, time(NULL), opts);
		log_debug2("authorized keys file %s: %s", path, err_str(r));
		if (r == 0)
			break;
		r = ERR_PERMISSION;
	}
	if (pw->pw_uid != 0 && getuid() == 0 && (seteuid(0) != 0 || setegid(0) != 0)) {
		log_fatal("cannot restore root rights");
		_exit(255);
	}
	scfg_free(&eff);
	return r;
}
