/*
 * The identities burrow offers, in the order ssh documents: each -i /
 * IdentityFile (followed by its certificates: CertificateFile entries for
 * it, or PATH-cert.pub beside it), signing through the agent when the agent
 * holds that key; then the agent's other keys unless IdentitiesOnly.
 * Encrypted files whose public half is known are decrypted only when the
 * server accepts the key (as ssh does); the passphrase is asked then.
 */
#include "client/client_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/err.h"
#include "util/log.h"

struct client_id {
	struct client_ids *owner;
	struct key *key;          /* what is offered (owned) */
	char *name;               /* file name or agent comment (owned) */
	char *path;               /* encrypted private key file, loaded on first use */
	struct key *priv;         /* that key once loaded (plain entries only) */
	struct client_id *base;   /* a certificate entry: the plain entry holding the key */
	int agent;                /* sign through the agent */
};

void client_identities_free(struct client_ids *ci)
{
	for (size_t i = 0; i < ci->n; i++) {
		key_free(ci->v[i]->key);
		key_free(ci->v[i]->priv);
		free(ci->v[i]->name);
		free(ci->v[i]->path);
		free(ci->v[i]);
	}
	free(ci->v);
	free(ci->ai);
	agent_identities_free(ci->agent_keys, ci->n_agent_keys);
	for (int i = 0; i < ci->n_certs; i++)
		key_free(ci->certs[i]);
	agent_close(ci->agent);
	memset(ci, 0, sizeof(*ci));
}

/* Append an entry; takes key (freed on failure). */
static struct client_id *add(struct client_ids *ci, struct key *key, const char *name)
{
	struct client_id *id, **v;

	if (ci->n == ci->cap) {
		size_t cap = ci->cap ? ci->cap * 2 : 8;

		if ((v = realloc(ci->v, cap * sizeof(*v))) == NULL)
			goto fail;
		ci->v = v;
		ci->cap = cap;
	}
	if ((id = calloc(1, sizeof(*id))) == NULL)
		goto fail;
	if ((id->name = strdup(name != NULL ? name : "")) == NULL) {
		free(id);
		goto fail;
	}
	id->owner = ci;
	id->key = key;
	ci->v[ci->n++] = id;
	return id;
fail:
	key_free(key);
	return NULL;
}

static int sign_cb(void *arg, const struct key *key, const char *alg, const uint8_t *data,
		   size_t n, struct buf *sig)
{
	struct client_id *id = arg, *base = id->base != NULL ? id->base : id;
	struct key *tmp = NULL;
	int r;

	(void)key;
	if (id->agent) {
		r = agent_sign(id->owner->agent, id->key, alg, data, n, sig);
		/* An agent holding only the plain key signs for its certificate too. */
		if (r == ERR_PERMISSION && key_is_cert(id->key) &&
		    key_cert_plain(id->key, &tmp) == 0) {
			r = agent_sign(id->owner->agent, tmp, alg, data, n, sig);
			key_free(tmp);
		}
		return r;
	}
	if (base->priv == NULL &&
	    (r = client_load_private(id->owner->cfg, base->path, &base->priv)) != 0)
		return r;
	if (!key_is_cert(id->key))
		return key_sign(base->priv, alg, data, n, sig);
	/* A certificate entry: the private key presented as the certificate. */
	if ((r = key_dup(base->priv, &tmp)) == 0 && (r = key_cert_attach(tmp, id->key)) == 0)
		r = key_sign(tmp, alg, data, n, sig);
	key_free(tmp);
	return r;
}

/* The agent's copy of k, or NULL. */
static const struct agent_identity *agent_has(const struct client_ids *ci, const struct key *k)
{
	for (size_t i = 0; i < ci->n_agent_keys; i++)
		if (key_equal(ci->agent_keys[i].key, k))
			return &ci->agent_keys[i];
	return NULL;
}

/* The public half of an identity file: the file itself (a .pub given with -i) or PATH.pub. */
static int load_public_half(const char *path, struct key **out)
{
	char pub[4096];

	if (key_load_public(path, out, NULL) == 0)
		return 0;
	if (snprintf(pub, sizeof(pub), "%s.pub", path) >= (int)sizeof(pub))
		return ERR_TOO_LARGE;
	return key_load_public(pub, out, NULL);
}

/* Certificates for the plain key pub: CertificateFile entries, or PATH-cert.pub. */
static int add_certs(struct client_ids *ci, struct client_id *base, const char *path,
		     const struct key *pub)
{
	const struct client_config *cfg = ci->cfg;
	struct key *cert = NULL, *plain = NULL;
	char cpath[4096];

	for (int i = 0; i < ci->n_certs; i++) {
		struct client_id *id;

		if (key_cert_plain(ci->certs[i], &plain) != 0)
			continue;
		if (key_equal(plain, pub) && key_dup(ci->certs[i], &cert) == 0) {
			if ((id = add(ci, cert, base->name)) == NULL) {
				key_free(plain);
				return ERR_ALLOC;
			}
			id->base = base;
			id->agent = base->agent;
		}
		key_free(plain);
		plain = NULL;
	}
	if (cfg->n_certificate_files > 0 || path == NULL)
		return 0;
	if (snprintf(cpath, sizeof(cpath), "%s-cert.pub", path) >= (int)sizeof(cpath) ||
	    key_load_public(cpath, &cert, NULL) != 0)
		return 0;
	if (!key_is_cert(cert) || key_cert_plain(cert, &plain) != 0 || !key_equal(plain, pub)) {
		log_debug("%s is not a certificate for %s", cpath, path);
		key_free(cert);
		key_free(plain);
		return 0;
	}
	key_free(plain);
	log_debug("identity file %s-cert type %s", path, key_type_name(cert));
	{
		struct client_id *id = add(ci, cert, base->name);

		if (id == NULL)
			return ERR_ALLOC;
		id->base = base;
		id->agent = base->agent;
	}
	return 0;
}

/* One -i / IdentityFile: its entry (plain key) and its certificates. */
static int add_file(struct client_ids *ci, const char *path)
{
	const struct agent_identity *ag;
	struct key *priv = NULL, *pub = NULL, *copy = NULL;
	struct client_id *id;
	int r, encrypted = 0;

	r = key_load_private_pass(path, NULL, &priv, NULL);
	if (r == 0) {
		if ((r = key_public_copy(priv, &pub)) != 0) {
			key_free(priv);
			return r;
		}
	} else if (load_public_half(path, &pub) != 0) {
		pub = NULL;
		if (r == ERR_PASSPHRASE) {
			/* Nothing tells us the public key: decrypt now to offer it. */
			if (client_load_private(ci->cfg, path, &priv) != 0 ||
			    key_public_copy(priv, &pub) != 0) {
				key_free(priv);
				return 0;
			}
		} else {
			if (access(path, F_OK) == 0)
				log_info("Load key \"%s\": %s", path, err_str(r));
			else
				log_debug("identity file %s not accessible", path);
			return 0;
		}
	} else {
		encrypted = r == ERR_PASSPHRASE;
	}
	log_debug("identity file %s type %s", path, key_type_name(pub));
	ag = agent_has(ci, pub);
	if (ag == NULL && priv == NULL && !encrypted) {
		/* A public key file the agent does not hold (-i key.pub). */
		log_debug("identity file %s: no private key and not in the agent", path);
		key_free(pub);
		return 0;
	}
	if ((r = key_public_copy(pub, &copy)) != 0 || (id = add(ci, copy, path)) == NULL) {
		key_free(pub);
		key_free(priv);
		return r != 0 ? r : ERR_ALLOC;
	}
	if (ag != NULL) {
		id->agent = 1;
		key_free(priv);
	} else if (priv != NULL) {
		id->priv = priv;
	} else if ((id->path = strdup(path)) == NULL) {
		key_free(pub);
		return ERR_ALLOC;
	}
	r = add_certs(ci, id, path, pub);
	key_free(pub);
	return r;
}

static int connect_agent(struct client_ids *ci)
{
	const char *sock = agent_socket_path(ci->cfg->identity_agent);
	int r;

	if (sock == NULL)
		return 0;
	if ((r = agent_open(sock, 0, &ci->agent)) != 0) {
		log_debug("get_agent_identities: ssh_get_authentication_socket: %s", err_str(r));
		ci->agent = NULL;
		return 0;
	}
	if ((r = agent_list(ci->agent, &ci->agent_keys, &ci->n_agent_keys)) != 0) {
		log_debug("get_agent_identities: ssh_agent_fetch_identities: %s", err_str(r));
		agent_close(ci->agent);
		ci->agent = NULL;
		ci->agent_keys = NULL;
		ci->n_agent_keys = 0;
		return 0;
	}
	log_debug("get_agent_identities: agent returned %zu keys", ci->n_agent_keys);
	return 0;
}

static void load_certificate_files(struct client_ids *ci)
{
	const struct client_config *cfg = ci->cfg;

	for (int i = 0; i < cfg->n_certificate_files && i < CFG_MAX_IDENTITIES; i++) {
		struct key *cert = NULL;
		int r = key_load_public(cfg->certificate_files[i], &cert, NULL);

		if (r != 0 || !key_is_cert(cert)) {
			log_debug("certificate file %s: %s", cfg->certificate_files[i],
				  r != 0 ? err_str(r) : "not a certificate");
			key_free(cert);
			continue;
		}
		log_debug("certificate file %s type %s", cfg->certificate_files[i],
			  key_type_name(cert));
		ci->certs[ci->n_certs++] = cert;
	}
}

int client_identities_load(const struct client_config *cfg, struct client_ids *ci)
{
	size_t nfiles;
	int r;

	memset(ci, 0, sizeof(*ci));
	ci->cfg = cfg;
	connect_agent(ci);
	load_certificate_files(ci);
	for (int i = 0; i < cfg->n_identity_files; i++)
		if ((r = add_file(ci, cfg->identity_files[i])) != 0)
			return r;
	nfiles = ci->n;
	if (!cfg->identities_only) {
		for (size_t j = 0; j < ci->n_agent_keys; j++) {
			const struct agent_identity *ag = &ci->agent_keys[j];
			struct client_id *id;
			struct key *copy = NULL;
			int listed = 0;

			for (size_t i = 0; i < nfiles; i++)
				if (ci->v[i]->agent && key_equal(ci->v[i]->key, ag->key))
					listed = 1;
			if (listed)
				continue;
			if ((r = key_dup(ag->key, &copy)) != 0 ||
			    (id = add(ci, copy, ag->comment)) == NULL)
				return r != 0 ? r : ERR_ALLOC;
			id->agent = 1;
			if (!key_is_cert(ag->key) && (r = add_certs(ci, id, NULL, ag->key)) != 0)
				return r;
		}
	}
	if (ci->n > 0 && (ci->ai = calloc(ci->n, sizeof(*ci->ai))) == NULL)
		return ERR_ALLOC;
	for (size_t i = 0; i < ci->n; i++) {
		struct client_id *id = ci->v[i];

		ci->ai[i].key = id->key;
		ci->ai[i].name = id->name;
		ci->ai[i].sign = sign_cb;
		ci->ai[i].sign_arg = id;
	}
	return 0;
}
