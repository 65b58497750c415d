/* Password checks for burrowd: PAM (UsePAM yes, when built with libpam) or shadow + crypt(3). */
#ifndef BURROW_SERVER_SERVER_PASSWD_H
#define BURROW_SERVER_SERVER_PASSWD_H

#include "auth/auth.h"
#include "config/server_config.h"

/* 1 if burrowd was built with libpam (UsePAM yes then uses it). */
int server_passwd_have_pam(void);
/*
 * auth_server_config.check_password for this connection: 0 if password is
 * user's, ERR_NOT_FOUND for an unknown user, ERR_PERMISSION otherwise.
 * Unknown, locked and refused users (PermitRootLogin, PermitEmptyPasswords,
 * expired accounts) hash the password like a real user does and get the
 * same answer, so neither the reply nor its timing tells them apart.
 * Must run as root (shadow, PAM).
 */
int server_check_password(const struct server_config *global, const struct scfg_conn_info *conn,
			  const char *user, const char *password);
/*
 * auth_server_config.user_methods: PasswordAuthentication,
 * KbdInteractiveAuthentication and AuthenticationMethods after Match.
 * out->authentication_methods stays valid until the next call.
 */
int server_user_methods(const struct server_config *global, const struct scfg_conn_info *conn,
			const char *user, struct auth_user_methods *out);

#endif
