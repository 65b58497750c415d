/* Internal to src/auth: helpers shared by the client and server state machines. */
#ifndef BURROW_AUTH_AUTH_INT_H
#define BURROW_AUTH_AUTH_INT_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/key.h"
#include "wire/buf.h"
#include "wire/rd.h"

#define AUTH_SERVICE "ssh-userauth"
#define AUTH_CONN_SERVICE "ssh-connection"
#define AUTH_DESC_MAX (KEY_FP_MAX + 32)

/* "ED25519 SHA256:..." as OpenSSH logs a key. */
void auth_key_desc(const struct key *k, char *out, size_t len);
/*
 * Append the data a publickey signature covers, RFC 4252 section 7:
 * string session_id || byte 50 || string user || string service ||
 * string "publickey" || bool TRUE || string alg || string blob.
 */
int auth_pk_signed_data(struct buf *out, const uint8_t *sid, size_t sid_len, const char *user,
			const char *service, const char *alg, const uint8_t *blob, size_t blob_len);
/* 1 if name is an element of the comma-separated list. */
int auth_list_has(const char *list, const char *name);

/* ---- password (auth_password.c), RFC 4252 section 8 ---- */
/* Longest password or keyboard-interactive answer we accept (sshd has no lower limit). */
#define AUTH_PASSWORD_MAX 1024
/* A NUL-terminated copy of an SSH string that must hold no NUL and fit AUTH_PASSWORD_MAX. */
int auth_secret_copy(const uint8_t *p, size_t n, char **out);
#define SSH_MSG_USERAUTH_PASSWD_CHANGEREQ 60 /* RFC 4252 section 8 */
#define SSH_MSG_USERAUTH_INFO_REQUEST 60     /* RFC 4256 section 3.2 */
#define SSH_MSG_USERAUTH_INFO_RESPONSE 61    /* RFC 4256 section 3.4 */

/*
 * The rest of a "password" request after the method name: bool change,
 * string password [, string new password]. *password is a NUL-terminated
 * copy (free with mem_free_secret(p, strlen(p))); *change is 1 for a
 * change request (whose new password is read and wiped). ERR_FORMAT for a
 * malformed request, an embedded NUL or an over-long password.
 */
int auth_password_parse(struct rd *r, char **password, int *change);
/* A whole USERAUTH_REQUEST for "password" (no change), appended to b. */
int auth_password_request(struct buf *b, const char *user, const char *service,
			  const char *password);

/*
 * AuthenticationMethods (sshd_config(5)): alternatives separated by
 * spaces, each a comma list of methods that must all succeed in order.
 * Methods: publickey, password, keyboard-interactive. NULL or "any":
 * no lists (one method is enough).
 */
#define AUTH_MAX_LISTS 16
struct auth_method_lists {
	char *list[AUTH_MAX_LISTS]; /* what is left of each alternative */
	size_t n;                   /* 0: "any" */
};
int auth_methods_parse(const char *spec, struct auth_method_lists *out);
void auth_methods_free(struct auth_method_lists *m);
/* 1 if method may be tried now: no lists, or the head of some list. */
int auth_methods_allowed(const struct auth_method_lists *m, const char *method);
/*
 * method succeeded: drop it from the head of each list that starts with
 * it. 1 if some list is now complete (authenticated), 0 if more is
 * needed (partial success), negative on error.
 */
int auth_methods_update(struct auth_method_lists *m, const char *method);
/*
 * The methods that can continue (USERAUTH_FAILURE), in sshd's order, among
 * those enabled (publickey always; password, keyboard-interactive as
 * flagged) and allowed by the lists; written as a comma list into out.
 */
void auth_methods_continue(const struct auth_method_lists *m, int password, int kbdint,
			   char *out, size_t len);

/* ---- keyboard-interactive (auth_kbdint.c), RFC 4256 ---- */
#define AUTH_KBDINT_MAX_PROMPTS 16
/* INFO_REQUEST with one prompt and no name or instruction. */
int auth_kbdint_info_request(struct buf *b, const char *prompt, int echo);
/*
 * INFO_RESPONSE body (after the type byte) with exactly `expect` answers;
 * the first is copied to *first (NUL-terminated, free with
 * mem_free_secret), or NULL when expect is 0.
 */
int auth_kbdint_parse_response(struct rd *r, uint32_t expect, char **first);
/* An INFO_REQUEST as the client sees it. */
struct auth_kbdint_req {
	char *name, *instruction;
	uint32_t n;
	char *prompt[AUTH_KBDINT_MAX_PROMPTS];
	int echo[AUTH_KBDINT_MAX_PROMPTS];
};
int auth_kbdint_parse_request(struct rd *r, struct auth_kbdint_req *out);
void auth_kbdint_req_free(struct auth_kbdint_req *q);
/* INFO_RESPONSE with n answers. */
int auth_kbdint_response(struct buf *b, char *const *answers, uint32_t n);
/* A USERAUTH_REQUEST for "keyboard-interactive": string language "", string submethods "". */
int auth_kbdint_request(struct buf *b, const char *user, const char *service);

#endif
