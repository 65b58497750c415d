/*
 * Password checks for the "password" and "keyboard-interactive" methods:
 * through PAM (service "sshd", so burrowd uses sshd's stack as a drop-in)
 * when built with libpam and UsePAM yes, else the shadow entry and
 * crypt(3) from libcrypt.
 */
#include "server/server_passwd.h"

#include <crypt.h>
#include <pwd.h>
#include <shadow.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifdef BURROW_HAVE_PAM
#include <security/pam_appl.h>
#endif

#include "util/err.h"
#include "util/log.h"
#include "util/mem.h"

/* PAM service: sshd's, so /etc/pam.d/sshd applies to burrowd as it does to sshd. */
#define PASSWD_PAM_SERVICE "sshd"

int server_passwd_have_pam(void)
{
#ifdef BURROW_HAVE_PAM
	return 1;
#else
	return 0;
#endif
}

/* The configuration for this user after Match blocks (a copy to free). */
static int effective(const struct server_config *global, const struct scfg_conn_info *conn,
		     const char *user, struct server_config *eff)
{
	struct scfg_conn_info ci = *conn;

	ci.user = user;
	if (scfg_copy(global, eff) != 0)
		return ERR_ALLOC;
	if (scfg_apply_match(eff, &ci) != 0) {
		scfg_free(eff);
		return ERR_PERMISSION;
	}
	return 0;
}

int server_user_methods(const struct server_config *global, const struct scfg_conn_info *conn,
			const char *user, struct auth_user_methods *out)
{
	/* One connection per process, one user per connection: kept until the next call. */
	static char *methods;
	struct server_config eff;

	if (effective(global, conn, user, &eff) != 0)
		return ERR_PERMISSION;
	free(methods);
	methods = NULL;
	if (eff.authentication_methods != NULL &&
	    (methods = mem_strdup(eff.authentication_methods)) == NULL) {
		scfg_free(&eff);
		return ERR_ALLOC;
	}
	out->password = eff.password_authentication == 1;
	out->kbdint = eff.kbd_interactive_authentication == 1;
	out->authentication_methods = methods;
	scfg_free(&eff);
	return 0;
}

/*
 * Hash password with setting (a stored hash) and compare in constant time.
 * A setting that is not a usable hash (locked "!", "*", empty) still costs
 * one hash with the dummy setting, so it takes the time a real one takes.
 */
static int hash_matches(const char *password, const char *setting, const char *dummy)
{
	struct crypt_data *cd;
	const char *use = setting, *h;
	int ok = 0;

	if (use == NULL || use[0] != '$')
		use = dummy;
	if ((cd = calloc(1, sizeof(*cd))) == NULL)
		return 0;
	h = crypt_r(password, use, cd);
	if (h != NULL && h[0] != '*' && use == setting && strlen(h) == strlen(setting))
		ok = mem_equal_ct(h, setting, strlen(h));
	mem_free_secret(cd, sizeof(*cd));
	return ok;
}

/*
 * The setting unknown users are hashed with: root's when it is a real hash
 * (the cost the system's passwords have), else libcrypt's default method.
 */
static void dummy_setting(char *out, size_t len)
{
	struct spwd *sp = getspnam("root");

	if (sp != NULL && sp->sp_pwdp != NULL && sp->sp_pwdp[0] == '$' &&
	    strlen(sp->sp_pwdp) < len) {
		snprintf(out, len, "%s", sp->sp_pwdp);
		return;
	}
	if (crypt_gensalt_rn(NULL, 0, NULL, 0, out, (int)len) == NULL)
		snprintf(out, len, "$6$burrowdummysalt$");
}

/* 1 if the shadow entry says the account or its password has expired. */
static int shadow_expired(const struct spwd *sp)
{
	long today = (long)(time(NULL) / 86400);

	if (sp->sp_expire > 0 && today >= sp->sp_expire)
		return 1;
	/* Last change 0: the password must be changed first, which we do not offer. */
	if (sp->sp_lstchg == 0)
		return 1;
	if (sp->sp_max >= 0 && sp->sp_lstchg > 0 && today > sp->sp_lstchg + sp->sp_max)
		return 1;
	return 0;
}

static int check_shadow(const struct passwd *pw, const char *password, int permit_empty)
{
	char dummy[CRYPT_OUTPUT_SIZE];
	const char *hash = NULL;
	struct spwd *sp = NULL;
	int ok;

	dummy_setting(dummy, sizeof(dummy));
	if (pw != NULL) {
		hash = pw->pw_passwd;
		if (hash != NULL && strcmp(hash, "x") == 0) {
			sp = getspnam(pw->pw_name);
			hash = sp != NULL ? sp->sp_pwdp : NULL;
		}
	}
	if (hash != NULL && hash[0] == '\0') {
		/* An empty stored password: only with PermitEmptyPasswords and an empty answer. */
		(void)hash_matches(password, NULL, dummy);
		return permit_empty && password[0] == '\0' && (sp == NULL || !shadow_expired(sp));
	}
	ok = hash_matches(password, hash, dummy);
	if (ok && sp != NULL && shadow_expired(sp)) {
		log_info("password for %s has expired", pw->pw_name);
		ok = 0;
	}
	return ok;
}

#ifdef BURROW_HAVE_PAM
/*
 * PAM asks; we answer every hidden prompt with the password (the one
 * keyboard-interactive prompt or the "password" method's value). A visible
 * prompt cannot be answered and fails the conversation.
 */
static int pam_conv_cb(int n, const struct pam_message **msg, struct pam_response **resp,
		       void *arg)
{
	const char *password = arg;
	struct pam_response *r;

	if (n <= 0 || n > PAM_MAX_NUM_MSG || (r = calloc((size_t)n, sizeof(*r))) == NULL)
		return PAM_CONV_ERR;
	for (int i = 0; i < n; i++) {
		switch (msg[i]->msg_style) {
		case PAM_PROMPT_ECHO_OFF:
			if ((r[i].resp = strdup(password)) == NULL)
				goto fail;
			break;
		case PAM_ERROR_MSG:
		case PAM_TEXT_INFO:
			log_debug("PAM: %s", msg[i]->msg != NULL ? msg[i]->msg : "");
			break;
		default:
			goto fail;
		}
	}
	*resp = r;
	return PAM_SUCCESS;
fail:
	for (int i = 0; i < n; i++)
		if (r[i].resp != NULL)
			mem_free_secret(r[i].resp, strlen(r[i].resp));
	free(r);
	return PAM_CONV_ERR;
}

static int check_pam(const char *user, const char *password, const char *rhost,
		     int permit_empty)
{
	struct pam_conv conv = { pam_conv_cb, (void *)(uintptr_t)password };
	pam_handle_t *h = NULL;
	int r;

	if ((r = pam_start(PASSWD_PAM_SERVICE, user, &conv, &h)) != PAM_SUCCESS) {
		log_error("PAM: pam_start failed: %d", r);
		return 0;
	}
	(void)pam_set_item(h, PAM_RHOST, rhost != NULL ? rhost : "");
	(void)pam_set_item(h, PAM_TTY, "ssh"); /* as sshd, for modules that want a tty */
	r = pam_authenticate(h, permit_empty ? 0 : PAM_DISALLOW_NULL_AUTHTOK);
	if (r == PAM_SUCCESS) {
		r = pam_acct_mgmt(h, permit_empty ? 0 : PAM_DISALLOW_NULL_AUTHTOK);
		if (r == PAM_NEW_AUTHTOK_REQD)
			log_info("PAM: password for %s has expired", user);
	} else {
		log_debug("PAM: authentication for %s: %s", user, pam_strerror(h, r));
	}
	pam_end(h, r);
	return r == PAM_SUCCESS;
}
#endif

int server_check_password(const struct server_config *global, const struct scfg_conn_info *conn,
			  const char *user, const char *password)
{
	struct passwd *pw = getpwnam(user);
	struct server_config eff;
	int refused = 0, ok;

	if (effective(global, conn, user, &eff) != 0)
		return ERR_PERMISSION;
	/* PermitRootLogin: only "yes" lets root in with a password. */
	if (pw != NULL && pw->pw_uid == 0 && eff.permit_root_login != PERMIT_ROOT_YES) {
		log_info("ROOT LOGIN REFUSED for %s (PermitRootLogin)", user);
		refused = 1;
	}
	/* Not root: only the user burrowd runs as (as for keys, server_auth.c). */
	if (pw != NULL && geteuid() != 0 && pw->pw_uid != geteuid())
		refused = 1;
#ifdef BURROW_HAVE_PAM
	if (eff.use_pam == 1) {
		char dummy[CRYPT_OUTPUT_SIZE];

		/* An unknown user costs a hash too; PAM then fails it on the same path. */
		if (pw == NULL) {
			dummy_setting(dummy, sizeof(dummy));
			(void)hash_matches(password, NULL, dummy);
		}
		ok = check_pam(user, password, conn->addr, eff.permit_empty_passwords == 1);
	} else
#endif
		ok = check_shadow(pw, password, eff.permit_empty_passwords == 1);
	scfg_free(&eff);
	if (pw == NULL)
		return ERR_NOT_FOUND;
	return ok && !refused ? 0 : ERR_PERMISSION;
}
