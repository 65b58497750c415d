/*
 * Client side of user authentication, RFC 4252: "none" to learn the
 * methods, then those the server lists in PreferredAuthentications order:
 * "publickey" with each identity in turn (query first, sign on PK_OK),
 * "keyboard-interactive" (RFC 4256) and "password" (section 8), each up to
 * NumberOfPasswordPrompts times.
 */
#include "auth/auth.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth_int.h"
#include "util/err.h"
#include "util/log.h"
#include "util/mem.h"
#include "wire/buf.h"
#include "wire/rd.h"

#define AC_MSG_MAX 512

enum ac_state {
	AC_INIT,
	AC_WAIT_ACCEPT, /* SERVICE_REQUEST sent */
	AC_WAIT_NONE,   /* "none" request sent */
	AC_WAIT_PK_OK,  /* publickey query sent */
	AC_WAIT_SIGNED, /* signed publickey request sent */
	AC_WAIT_PASSWORD, /* password request sent */
	AC_WAIT_KBDINT, /* keyboard-interactive request or responses sent */
	AC_DONE,
	AC_DEAD,
};

struct auth_client {
	struct tp *t;
	char *user;
	struct auth_identity *ids; /* borrowed keys; the array is ours */
	size_t n_ids;
	char *accepted;            /* PubkeyAcceptedAlgorithms, NULL: any */
	char *methods;             /* the server's last list of methods */
	size_t next;              /* next identity to offer */
	size_t cur;               /* identity in flight */
	char *cur_alg;
	struct buf cur_blob;
	enum ac_state state;
	char failure_msg[AC_MSG_MAX];
	char *preferred;          /* PreferredAuthentications */
	int (*get_password)(void *arg, unsigned attempt, char **out);
	int (*kbdint_prompt)(void *arg, const char *name, const char *instruction,
			     const char *prompt, int echo, char **out);
	void *prompt_arg;
	unsigned max_prompts;
	unsigned pw_tries, kbd_tries;
	int pk_done, pw_done, kbd_done; /* method given up */
	const char *method;       /* the method of the request in flight */
};

/* ssh_config(5) defaults (gssapi-with-mic and hostbased are not implemented). */
#define AC_PREFERRED_DEFAULT "publickey,keyboard-interactive,password"
#define AC_PROMPTS_DEFAULT 3

int auth_client_new(struct tp *t, const struct auth_client_config *cfg, struct auth_client **out)
{
	struct auth_client *a;

	if (t == NULL || cfg == NULL || cfg->user == NULL ||
	    (cfg->n_identities > 0 && cfg->identities == NULL) ||
	    (cfg->n_ids > 0 && cfg->ids == NULL) || cfg->n_identities > SIZE_MAX / 2 ||
	    cfg->n_ids > SIZE_MAX / 2)
		return ERR_INVALID_ARG;
	if ((a = calloc(1, sizeof(*a))) == NULL)
		return ERR_ALLOC;
	a->t = t;
	buf_init(&a->cur_blob);
	if ((a->user = strdup(cfg->user)) == NULL)
		goto fail;
	if (cfg->pubkey_accepted_algorithms != NULL &&
	    (a->accepted = strdup(cfg->pubkey_accepted_algorithms)) == NULL)
		goto fail;
	if ((a->preferred = strdup(cfg->preferred != NULL ? cfg->preferred
							  : AC_PREFERRED_DEFAULT)) == NULL)
		goto fail;
	a->get_password = cfg->get_password;
	a->kbdint_prompt = cfg->kbdint_prompt;
	a->prompt_arg = cfg->prompt_arg;
	a->max_prompts = cfg->password_prompts != 0 ? cfg->password_prompts : AC_PROMPTS_DEFAULT;
	if (cfg->n_identities + cfg->n_ids > 0 &&
	    (a->ids = calloc(cfg->n_identities + cfg->n_ids, sizeof(*a->ids))) == NULL)
		goto fail;
	for (size_t i = 0; i < cfg->n_identities; i++) {
		a->ids[i].key = cfg->identities[i];
		a->ids[i].name = cfg->identity_names != NULL ? cfg->identity_names[i] : NULL;
	}
	if (cfg->n_ids > 0)
		memcpy(a->ids + cfg->n_identities, cfg->ids, cfg->n_ids * sizeof(*a->ids));
	a->n_ids = cfg->n_identities + cfg->n_ids;
	*out = a;
	return 0;
fail:
	auth_client_free(a);
	return ERR_ALLOC;
}

void auth_client_free(struct auth_client *a)
{
	if (a == NULL)
		return;
	free(a->user);
	free(a->ids);
	free(a->accepted);
	free(a->methods);
	free(a->cur_alg);
	free(a->preferred);
	buf_free(&a->cur_blob);
	free(a);
}

const char *auth_client_failure_msg(const struct auth_client *a)
{
	return a->failure_msg;
}

const char *auth_client_method(const struct auth_client *a)
{
	return a->state == AC_DONE ? a->method : NULL;
}

static int ac_protocol_error(struct auth_client *a, const char *msg)
{
	log_debug("userauth: %s", msg);
	tp_disconnect(a->t, SSH_DISCONNECT_PROTOCOL_ERROR, msg);
	a->state = AC_DEAD;
	return ERR_PROTOCOL;
}

int auth_client_start(struct auth_client *a)
{
	struct buf b;
	int r;

	if (a->state != AC_INIT)
		return ERR_BAD_STATE;
	buf_init(&b);
	if ((r = buf_put_u8(&b, SSH_MSG_SERVICE_REQUEST)) == 0 &&
	    (r = buf_put_cstring(&b, AUTH_SERVICE)) == 0 && (r = tp_sendb(a->t, &b)) == 0)
		a->state = AC_WAIT_ACCEPT;
	buf_free(&b);
	return r;
}

/* byte 50, string user, string "ssh-connection", string method */
static int ac_request_head(struct auth_client *a, struct buf *b, const char *method)
{
	int r;

	if ((r = buf_put_u8(b, SSH_MSG_USERAUTH_REQUEST)) != 0 ||
	    (r = buf_put_cstring(b, a->user)) != 0 ||
	    (r = buf_put_cstring(b, AUTH_CONN_SERVICE)) != 0 ||
	    (r = buf_put_cstring(b, method)) != 0)
		return r;
	return 0;
}

static int ac_send_none(struct auth_client *a)
{
	struct buf b;
	int r;

	buf_init(&b);
	if ((r = ac_request_head(a, &b, "none")) == 0 && (r = tp_sendb(a->t, &b)) == 0) {
		a->state = AC_WAIT_NONE;
		a->method = "none";
	}
	buf_free(&b);
	return r;
}

#define AC_CERT_SUFFIX "-cert-v01@openssh.com"

/* 1 if alg, with a certificate suffix dropped, is in the server's server-sig-algs. */
static int ac_server_has(const char *server, const char *alg, size_t n)
{
	char name[128];
	size_t sl = strlen(AC_CERT_SUFFIX);

	if (n >= sizeof(name))
		return 0;
	memcpy(name, alg, n);
	name[n] = '\0';
	/* The server lists signature algorithms; a certificate signs with the plain one. */
	if (n > sl && strcmp(name + n - sl, AC_CERT_SUFFIX) == 0)
		name[n - sl] = '\0';
	return auth_list_has(server, name);
}

/*
 * The signature algorithm to offer k with, as OpenSSH chooses it: a key with
 * one algorithm (or a server without server-sig-algs) uses its own name,
 * which PubkeyAcceptedAlgorithms must allow (so an RSA key is not offered as
 * ssh-rsa by default); an RSA key otherwise takes the first entry of
 * PubkeyAcceptedAlgorithms that fits it and that the server lists (RFC 8332
 * section 3.1). ERR_NOT_FOUND if nothing fits.
 */
static int ac_pick_alg(struct auth_client *a, const struct key *k, char **out)
{
	const char *have = key_sig_algs(k), *server = tp_server_sig_algs(a->t);
	const char *p, *name;
	size_t n;

	if (have == NULL || (name = key_type_name(k)) == NULL)
		return ERR_KEY_TYPE;
	if (strchr(have, ',') == NULL || server == NULL) {
		if (a->accepted != NULL && !auth_list_has(a->accepted, name))
			return ERR_NOT_FOUND;
		return (*out = strdup(name)) != NULL ? 0 : ERR_ALLOC;
	}
	for (p = a->accepted != NULL ? a->accepted : have; *p != '\0'; p += n + (p[n] == ',')) {
		char alg[128];

		n = strcspn(p, ",");
		if (n == 0 || n >= sizeof(alg))
			continue;
		memcpy(alg, p, n);
		alg[n] = '\0';
		if (auth_list_has(have, alg) && ac_server_has(server, alg, n))
			return (*out = strdup(alg)) != NULL ? 0 : ERR_ALLOC;
	}
	return ERR_NOT_FOUND;
}

static const char *ac_name(const struct auth_client *a, size_t i)
{
	return a->ids[i].name != NULL ? a->ids[i].name : "";
}

/* Offer the next identity with a query (has_sig FALSE); 1 if none is left. */
static int ac_offer_next(struct auth_client *a)
{
	while (a->next < a->n_ids) {
		size_t i = a->next++;
		const struct key *k = a->ids[i].key;
		char desc[AUTH_DESC_MAX];
		struct buf b;
		int r;

		if (k == NULL || (a->ids[i].sign == NULL && !key_has_private(k)))
			continue;
		free(a->cur_alg);
		a->cur_alg = NULL;
		buf_reset(&a->cur_blob);
		auth_key_desc(k, desc, sizeof(desc));
		if ((r = ac_pick_alg(a, k, &a->cur_alg)) == ERR_NOT_FOUND ||
		    r == ERR_KEY_TYPE) {
			log_debug("Skipping %s key %s%s%s - corresponding algorithm not in "
				  "PubkeyAcceptedAlgorithms", key_type_name(k), ac_name(a, i),
				  *ac_name(a, i) ? " " : "", desc);
			continue;
		}
		if (r != 0 || (r = key_to_blob(k, &a->cur_blob)) != 0)
			return r;
		log_debug("Offering public key: %s%s%s", ac_name(a, i), *ac_name(a, i) ? " " : "",
			  desc);
		buf_init(&b);
		if ((r = ac_request_head(a, &b, "publickey")) == 0 &&
		    (r = buf_put_bool(&b, 0)) == 0 && (r = buf_put_cstring(&b, a->cur_alg)) == 0 &&
		    (r = buf_put_stringb(&b, &a->cur_blob)) == 0)
			r = tp_sendb(a->t, &b);
		buf_free(&b);
		if (r != 0)
			return r;
		a->cur = i;
		a->state = AC_WAIT_PK_OK;
		a->method = "publickey";
		return 0;
	}
	return 1;
}

/* "password": ask (attempt 0, 1, ...) and send; 1 if given up. */
static int ac_try_password(struct auth_client *a)
{
	char *pw = NULL;
	struct buf b;
	int r;

	if (a->get_password == NULL || a->pw_tries >= a->max_prompts)
		return 1;
	if (a->get_password(a->prompt_arg, a->pw_tries, &pw) != 0)
		return 1;
	a->pw_tries++;
	buf_init(&b);
	if ((r = auth_password_request(&b, a->user, AUTH_CONN_SERVICE, pw)) == 0)
		r = tp_sendb(a->t, &b);
	buf_free(&b); /* wipes the copy */
	mem_free_secret(pw, strlen(pw));
	if (r != 0)
		return r;
	a->state = AC_WAIT_PASSWORD;
	a->method = "password";
	return 0;
}

/* "keyboard-interactive": the request; prompts come with INFO_REQUEST. 1 if given up. */
static int ac_try_kbdint(struct auth_client *a)
{
	struct buf b;
	int r;

	if (a->kbdint_prompt == NULL || a->kbd_tries >= a->max_prompts)
		return 1;
	a->kbd_tries++;
	buf_init(&b);
	if ((r = auth_kbdint_request(&b, a->user, AUTH_CONN_SERVICE)) == 0)
		r = tp_sendb(a->t, &b);
	buf_free(&b);
	if (r != 0)
		return r;
	a->state = AC_WAIT_KBDINT;
	a->method = "keyboard-interactive";
	return 0;
}

/*
 * The next request: the first method of PreferredAuthentications that the
 * server lists and we have not given up. 0 when one was sent, 1 when
 * nothing is left, negative on error.
 */
static int ac_next_method(struct auth_client *a)
{
	const char *p = a->preferred;

	while (*p != '\0') {
		size_t n = strcspn(p, ",");
		char m[32];
		int r = 1;

		if (n > 0 && n < sizeof(m)) {
			memcpy(m, p, n);
			m[n] = '\0';
			if (a->methods != NULL && auth_list_has(a->methods, m)) {
				if (strcmp(m, "publickey") == 0 && !a->pk_done) {
					if ((r = ac_offer_next(a)) == 1)
						a->pk_done = 1;
				} else if (strcmp(m, "keyboard-interactive") == 0 && !a->kbd_done) {
					if ((r = ac_try_kbdint(a)) == 1)
						a->kbd_done = 1;
				} else if (strcmp(m, "password") == 0 && !a->pw_done) {
					if ((r = ac_try_password(a)) == 1)
						a->pw_done = 1;
				}
				if (r <= 0)
					return r;
			}
		}
		p += n;
		if (*p == ',')
			p++;
	}
	return 1;
}

/* "Permission denied (LIST)." as ssh prints it; control characters become '?'. */
static void ac_set_failure(struct auth_client *a, const char *methods)
{
	char list[AC_MSG_MAX - 32];
	size_t i;

	for (i = 0; methods[i] != '\0' && i < sizeof(list) - 1; i++)
		list[i] = (unsigned char)methods[i] < 0x20 || methods[i] == 0x7f ? '?' : methods[i];
	list[i] = '\0';
	snprintf(a->failure_msg, sizeof(a->failure_msg), "Permission denied (%s).", list);
}

/* USERAUTH_FAILURE: name-list methods, bool partial_success. */
static int ac_failure(struct auth_client *a, struct rd *r)
{
	char *methods = NULL;
	int partial, e;

	if (a->state != AC_WAIT_NONE && a->state != AC_WAIT_PK_OK && a->state != AC_WAIT_SIGNED &&
	    a->state != AC_WAIT_PASSWORD && a->state != AC_WAIT_KBDINT)
		return ac_protocol_error(a, "unexpected USERAUTH_FAILURE");
	if (rd_cstring(r, &methods) != 0 || rd_bool(r, &partial) != 0 || rd_end(r) != 0)
		return ac_protocol_error(a, "malformed USERAUTH_FAILURE");
	if (partial)
		log_debug("Authenticated with partial success.");
	log_debug("Authentications that can continue: %s", methods);
	free(a->methods);
	a->methods = methods;
	methods = NULL;
	if (partial) {
		/* A step of AuthenticationMethods passed: the next may ask again. */
		a->pw_tries = a->kbd_tries = 0;
		a->pw_done = a->kbd_done = 0;
	}
	e = ac_next_method(a);
	if (e == 1) {
		ac_set_failure(a, a->methods);
		a->state = AC_DEAD;
		e = ERR_PERMISSION;
	}
	free(methods);
	return e;
}

/* Sign with identity i: through its callback (an agent) or with its private key. */
static int ac_sign(struct auth_client *a, size_t i, const uint8_t *data, size_t n,
		   struct buf *sig)
{
	const struct auth_identity *id = &a->ids[i];

	if (id->sign != NULL)
		return id->sign(id->sign_arg, id->key, a->cur_alg, data, n, sig);
	return key_sign(id->key, a->cur_alg, data, n, sig);
}

/* USERAUTH_PK_OK: string alg, string blob, as offered. Answer with the signed request. */
static int ac_pk_ok(struct auth_client *a, struct rd *r)
{
	const uint8_t *alg, *blob, *sid;
	size_t alg_len, blob_len, sid_len;
	const struct key *k;
	char desc[AUTH_DESC_MAX];
	struct buf data, req, sig;
	int e;

	if (a->state != AC_WAIT_PK_OK)
		return ac_protocol_error(a, "unexpected USERAUTH_PK_OK");
	if (rd_string(r, &alg, &alg_len) != 0 || rd_string(r, &blob, &blob_len) != 0 ||
	    rd_end(r) != 0)
		return ac_protocol_error(a, "malformed USERAUTH_PK_OK");
	if (alg_len != strlen(a->cur_alg) || memcmp(alg, a->cur_alg, alg_len) != 0 ||
	    blob_len != buf_len(&a->cur_blob) || memcmp(blob, buf_ptr(&a->cur_blob), blob_len) != 0)
		return ac_protocol_error(a, "USERAUTH_PK_OK for a key we did not offer");
	if ((sid = tp_session_id(a->t, &sid_len)) == NULL)
		return ERR_BAD_STATE;
	k = a->ids[a->cur].key;
	auth_key_desc(k, desc, sizeof(desc));
	log_debug("Server accepts key: %s%s%s", ac_name(a, a->cur),
		  *ac_name(a, a->cur) ? " " : "", desc);
	buf_init(&data);
	buf_init(&req);
	buf_init(&sig);
	if ((e = auth_pk_signed_data(&data, sid, sid_len, a->user, AUTH_CONN_SERVICE, a->cur_alg,
				     buf_ptr(&a->cur_blob), buf_len(&a->cur_blob))) != 0 ||
	    (e = ac_request_head(a, &req, "publickey")) != 0 || (e = buf_put_bool(&req, 1)) != 0 ||
	    (e = buf_put_cstring(&req, a->cur_alg)) != 0 ||
	    (e = buf_put_stringb(&req, &a->cur_blob)) != 0)
		goto out;
	if ((e = ac_sign(a, a->cur, buf_ptr(&data), buf_len(&data), &sig)) != 0) {
		if (e == ERR_ALLOC)
			goto out;
		/* As ssh: a key that cannot sign (agent refused) is skipped. */
		log_info("sign_and_send_pubkey: signing failed for %s %s%s: %s", desc,
			 ac_name(a, a->cur), a->ids[a->cur].sign != NULL ? " from agent" : "",
			 e == ERR_PERMISSION ? "agent refused operation" : err_str(e));
		if ((e = ac_next_method(a)) == 1) {
			ac_set_failure(a, a->methods != NULL ? a->methods : "publickey");
			a->state = AC_DEAD;
			e = ERR_PERMISSION;
		}
		goto out;
	}
	if ((e = buf_put_stringb(&req, &sig)) != 0 || (e = tp_sendb(a->t, &req)) != 0)
		goto out;
	a->state = AC_WAIT_SIGNED;
out:
	buf_free(&sig);
	buf_free(&data);
	buf_free(&req);
	return e;
}

/* USERAUTH_BANNER: string message, string language tag. Logged line by line. */
static int ac_banner(struct auth_client *a, struct rd *r)
{
	const uint8_t *lang;
	size_t lang_len;
	char *msg = NULL, *line, *nl;

	/* RFC 4252 section 5.4: any time after the service starts, before success. */
	if (a->state == AC_INIT || a->state == AC_DONE)
		return ac_protocol_error(a, "unexpected USERAUTH_BANNER");
	if (rd_cstring(r, &msg) != 0 || rd_string(r, &lang, &lang_len) != 0 || rd_end(r) != 0) {
		free(msg);
		return ac_protocol_error(a, "malformed USERAUTH_BANNER");
	}
	for (line = msg; *line != '\0'; line = nl + 1) {
		size_t n;

		if ((nl = strchr(line, '\n')) != NULL)
			*nl = '\0';
		n = strlen(line);
		if (n > 0 && line[n - 1] == '\r')
			line[n - 1] = '\0';
		log_info("%s", line);
		if (nl == NULL)
			break;
	}
	free(msg);
	return 0;
}

/*
 * PASSWD_CHANGEREQ (RFC 4252 section 8): the server wants a new password.
 * We do not change passwords from here: the method is given up.
 */
static int ac_change_req(struct auth_client *a)
{
	int e;

	log_info("The server requires a password change; burrow does not change passwords.");
	a->pw_done = 1;
	if ((e = ac_next_method(a)) == 1) {
		ac_set_failure(a, a->methods != NULL ? a->methods : "password");
		a->state = AC_DEAD;
		e = ERR_PERMISSION;
	}
	return e;
}

/* INFO_REQUEST (RFC 4256 section 3.2): answer every prompt, then INFO_RESPONSE. */
static int ac_info_request(struct auth_client *a, struct rd *r)
{
	struct auth_kbdint_req q;
	char *ans[AUTH_KBDINT_MAX_PROMPTS] = { NULL };
	struct buf b;
	int e = 0;

	if (auth_kbdint_parse_request(r, &q) != 0)
		return ac_protocol_error(a, "malformed USERAUTH_INFO_REQUEST");
	for (uint32_t i = 0; i < q.n && e == 0; i++)
		if (a->kbdint_prompt(a->prompt_arg, q.name, q.instruction, q.prompt[i], q.echo[i],
				     &ans[i]) != 0)
			e = 1;
	buf_init(&b);
	if (e == 1) {
		/* Cancelled: give the method up; an empty answer ends this round. */
		a->kbd_done = 1;
		e = 0;
	}
	if (e == 0 && (e = auth_kbdint_response(&b, ans, q.n)) == 0)
		e = tp_sendb(a->t, &b);
	buf_free(&b);
	for (uint32_t i = 0; i < q.n; i++)
		if (ans[i] != NULL)
			mem_free_secret(ans[i], strlen(ans[i]));
	auth_kbdint_req_free(&q);
	return e;
}

int auth_client_handle(struct auth_client *a, const uint8_t *payload, size_t len)
{
	struct rd r;

	if (a->state == AC_DEAD)
		return ERR_BAD_STATE;
	if (len == 0)
		return ac_protocol_error(a, "empty message");
	rd_init(&r, payload + 1, len - 1);
	switch (payload[0]) {
	case SSH_MSG_SERVICE_ACCEPT:
		if (a->state != AC_WAIT_ACCEPT)
			return ac_protocol_error(a, "unexpected SERVICE_ACCEPT");
		/* string service; some old servers omit it. */
		if (rd_left(&r) > 0 && (rd_string(&r, NULL, NULL) != 0 || rd_end(&r) != 0))
			return ac_protocol_error(a, "malformed SERVICE_ACCEPT");
		return ac_send_none(a);
	case SSH_MSG_USERAUTH_FAILURE:
		return ac_failure(a, &r);
	case SSH_MSG_USERAUTH_SUCCESS:
		/* Only as the answer to a request we sent (cf. CVE-2018-10933). */
		if (a->state != AC_WAIT_NONE && a->state != AC_WAIT_PK_OK &&
		    a->state != AC_WAIT_SIGNED && a->state != AC_WAIT_PASSWORD &&
		    a->state != AC_WAIT_KBDINT)
			return ac_protocol_error(a, "unexpected USERAUTH_SUCCESS");
		if (rd_end(&r) != 0)
			return ac_protocol_error(a, "malformed USERAUTH_SUCCESS");
		tp_set_authenticated(a->t);
		log_debug("Authentication succeeded (%s).", a->method);
		a->state = AC_DONE;
		return 1;
	case SSH_MSG_USERAUTH_BANNER:
		return ac_banner(a, &r);
	case SSH_MSG_USERAUTH_PK_OK: /* 60: its meaning depends on the method in flight */
		if (a->state == AC_WAIT_PASSWORD)
			return ac_change_req(a);
		if (a->state == AC_WAIT_KBDINT)
			return ac_info_request(a, &r);
		return ac_pk_ok(a, &r);
	default:
		return ac_protocol_error(a, "unexpected message during user authentication");
	}
}
