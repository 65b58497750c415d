/*
 * OpenSSH certificates, PROTOCOL.certkeys. The blob after the type name:
 *   string nonce, <the certified key's public fields, as in its plain blob>,
 *   uint64 serial, uint32 type, string key id, string valid principals,
 *   uint64 valid after, uint64 valid before, string critical options,
 *   string extensions, string reserved, string signature key,
 *   string signature
 * The CA signature covers everything from the type name up to and
 * including the signature key. The blob is kept as received so that
 * key_to_blob() gives it back byte for byte.
 */
#include "crypto/key_int.h"

#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "util/mem.h"

#define CERT_SUFFIX "-cert-v01@openssh.com"
#define CERT_MAX_PRINCIPALS 256 /* as OpenSSH's SSHKEY_CERT_MAX_PRINCIPALS */

/* Certificate type name -> name of the certified key type. */
static const struct cert_name {
	const char *cert;
	const char *plain;
} cert_names[] = {
	{ "ssh-ed25519-cert-v01@openssh.com", "ssh-ed25519" },
	{ "ecdsa-sha2-nistp256-cert-v01@openssh.com", "ecdsa-sha2-nistp256" },
	{ "ecdsa-sha2-nistp384-cert-v01@openssh.com", "ecdsa-sha2-nistp384" },
	{ "ecdsa-sha2-nistp521-cert-v01@openssh.com", "ecdsa-sha2-nistp521" },
	{ "ssh-rsa-cert-v01@openssh.com", "ssh-rsa" },
};

#define N_CERT_NAMES (sizeof(cert_names) / sizeof(cert_names[0]))

struct key_cert {
	struct buf blob;            /* the whole certificate as received */
	const char *name;           /* certificate type name (static) */
	char *sig_algs;             /* certificate signature algorithms */
	struct key *ca;
	struct key_cert_info info;  /* points into the fields below */
	char *key_id;
	char **principals;
	char *force_command;
	char *source_address;
	char *unknown_critical;
	char *sig_alg;
};

void key_cert_free(struct key_cert *c)
{
	if (c == NULL)
		return;
	buf_free(&c->blob);
	free(c->sig_algs);
	key_free(c->ca);
	free(c->key_id);
	for (size_t i = 0; c->principals != NULL && i < c->info.n_principals; i++)
		free(c->principals[i]);
	free(c->principals);
	free(c->force_command);
	free(c->source_address);
	free(c->unknown_critical);
	free(c->sig_alg);
	free(c);
}

static const struct cert_name *cert_name_lookup(const char *name, size_t n)
{
	for (size_t i = 0; i < N_CERT_NAMES; i++)
		if (strlen(cert_names[i].cert) == n && memcmp(cert_names[i].cert, name, n) == 0)
			return &cert_names[i];
	return NULL;
}

int key_name_is_cert(const char *name)
{
	size_t n = strlen(name), sn = strlen(CERT_SUFFIX);

	return n > sn && strcmp(name + n - sn, CERT_SUFFIX) == 0;
}

int key_cert_plain_alg(const char *alg, char *out, size_t out_len)
{
	size_t n = strlen(alg);

	if (key_name_is_cert(alg))
		n -= strlen(CERT_SUFFIX);
	if (n >= out_len)
		return ERR_TOO_LARGE;
	memcpy(out, alg, n);
	out[n] = '\0';
	return 0;
}

/* Each of the plain key's signature algorithms with the certificate suffix. */
static int cert_make_sig_algs(const char *plain, char **out)
{
	struct buf b;
	const char *p = plain;
	int r = 0;

	buf_init(&b);
	while (*p != '\0') {
		size_t n = strcspn(p, ",");

		if ((buf_len(&b) > 0 && (r = buf_put_u8(&b, ',')) != 0) ||
		    (r = buf_put(&b, p, n)) != 0 ||
		    (r = buf_put(&b, CERT_SUFFIX, strlen(CERT_SUFFIX))) != 0)
			goto out;
		p += n;
		if (*p == ',')
			p++;
	}
	if ((r = buf_put_u8(&b, '\0')) != 0)
		goto out;
	if ((*out = strdup((const char *)buf_ptr(&b))) == NULL)
		r = ERR_ALLOC;
out:
	buf_free(&b);
	return r;
}

/* valid principals: a string holding a sequence of strings. */
static int cert_read_principals(struct rd *r, struct key_cert *c)
{
	struct rd sub;
	int e;

	if ((e = rd_string_rd(r, &sub)) != 0)
		return e;
	while (rd_left(&sub) > 0) {
		char **v;

		if (c->info.n_principals >= CERT_MAX_PRINCIPALS)
			return ERR_TOO_LARGE;
		if ((v = realloc(c->principals, (c->info.n_principals + 1) * sizeof(*v))) == NULL)
			return ERR_ALLOC;
		c->principals = v;
		if ((e = rd_cstring(&sub, &v[c->info.n_principals])) != 0)
			return e;
		c->info.n_principals++;
	}
	return 0;
}

/* The data of a critical option that holds one string (force-command, source-address). */
static int cert_option_string(const uint8_t *data, size_t n, char **out)
{
	struct rd r;
	char *s = NULL;
	int e;

	if (*out != NULL)
		return ERR_FORMAT; /* the same option twice */
	rd_init(&r, data, n);
	if ((e = rd_cstring(&r, &s)) != 0)
		return e;
	if ((e = rd_end(&r)) != 0) {
		free(s);
		return e;
	}
	*out = s;
	return 0;
}

/* A string holding (string name, string data) pairs; on_pair sees each in turn. */
static int cert_read_pairs(struct rd *r, struct key_cert *c,
			   int (*on_pair)(struct key_cert *c, const uint8_t *name, size_t name_len,
					  const uint8_t *data, size_t data_len))
{
	struct rd sub;
	int e;

	if ((e = rd_string_rd(r, &sub)) != 0)
		return e;
	while (rd_left(&sub) > 0) {
		const uint8_t *name, *data;
		size_t name_len, data_len;

		if ((e = rd_string(&sub, &name, &name_len)) != 0 ||
		    (e = rd_string(&sub, &data, &data_len)) != 0 ||
		    (e = on_pair(c, name, name_len, data, data_len)) != 0)
			return e;
	}
	return 0;
}

/* One critical option; the first unknown one is remembered to refuse the cert later. */
static int cert_critical(struct key_cert *c, const uint8_t *name, size_t name_len,
			 const uint8_t *data, size_t data_len)
{
	if (name_len == 13 && memcmp(name, "force-command", 13) == 0)
		return cert_option_string(data, data_len, &c->force_command);
	if (name_len == 14 && memcmp(name, "source-address", 14) == 0)
		return cert_option_string(data, data_len, &c->source_address);
	if (c->unknown_critical == NULL &&
	    (c->unknown_critical = strndup((const char *)name, name_len)) == NULL)
		return ERR_ALLOC;
	return 0;
}

static const struct {
	const char *name;
	unsigned bit;
} cert_exts[] = {
	{ "permit-X11-forwarding", KEY_CERT_EXT_X11 },
	{ "permit-agent-forwarding", KEY_CERT_EXT_AGENT },
	{ "permit-port-forwarding", KEY_CERT_EXT_PORT },
	{ "permit-pty", KEY_CERT_EXT_PTY },
	{ "permit-user-rc", KEY_CERT_EXT_USER_RC },
	{ "no-touch-required", KEY_CERT_EXT_NO_TOUCH },
};

/* One extension; unknown ones are ignored (PROTOCOL.certkeys). */
static int cert_extension(struct key_cert *c, const uint8_t *name, size_t name_len,
			  const uint8_t *data, size_t data_len)
{
	(void)data;
	(void)data_len;
	for (size_t i = 0; i < sizeof(cert_exts) / sizeof(cert_exts[0]); i++)
		if (strlen(cert_exts[i].name) == name_len &&
		    memcmp(cert_exts[i].name, name, name_len) == 0)
			c->info.ext |= cert_exts[i].bit;
	return 0;
}

/* The CA key and its signature over blob[0 .. signed_len). */
static int cert_read_signature(struct rd *r, struct key_cert *c, const uint8_t *blob)
{
	const uint8_t *ca_blob, *sig, *alg;
	size_t ca_len, sig_len, alg_len, signed_len;
	struct rd sr;
	int e;

	if ((e = rd_string(r, &ca_blob, &ca_len)) != 0)
		return e;
	signed_len = r->off; /* r reads the whole blob from its start */
	if ((e = rd_string(r, &sig, &sig_len)) != 0 || (e = rd_end(r)) != 0)
		return e;
	if ((e = key_from_blob(ca_blob, ca_len, &c->ca)) != 0)
		return e;
	if (c->ca->cert != NULL)
		return ERR_FORMAT; /* a certificate cannot sign certificates */
	rd_init(&sr, sig, sig_len);
	if ((e = rd_string(&sr, &alg, &alg_len)) != 0)
		return ERR_SIGNATURE;
	if ((c->sig_alg = strndup((const char *)alg, alg_len)) == NULL)
		return ERR_ALLOC;
	if (strlen(c->sig_alg) != alg_len)
		return ERR_SIGNATURE;
	return key_verify(c->ca, NULL, sig, sig_len, blob, signed_len);
}

int key_cert_from_blob(const uint8_t *blob, size_t n, struct key **out)
{
	const struct cert_name *cn;
	const struct key_impl *impl;
	struct key_cert *c = NULL;
	struct key *k = NULL;
	EVP_PKEY *pkey = NULL;
	const uint8_t *name, *nonce, *reserved;
	size_t name_len, nonce_len, reserved_len;
	struct rd r;
	int e;

	rd_init(&r, blob, n);
	if ((e = rd_string(&r, &name, &name_len)) != 0)
		return e;
	if ((cn = cert_name_lookup((const char *)name, name_len)) == NULL ||
	    (impl = key_impl_by_name(cn->plain, strlen(cn->plain))) == NULL)
		return ERR_KEY_TYPE;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return ERR_ALLOC;
	buf_init(&c->blob);
	c->name = cn->cert;
	if ((e = rd_string(&r, &nonce, &nonce_len)) != 0 || (e = impl->pub_read(&r, &pkey)) != 0)
		goto out;
	if ((e = key_wrap(impl, pkey, 0, &k)) != 0) /* takes pkey */
		goto out;
	if ((e = rd_u64(&r, &c->info.serial)) != 0 || (e = rd_u32(&r, &c->info.type)) != 0 ||
	    (e = rd_cstring(&r, &c->key_id)) != 0 || (e = cert_read_principals(&r, c)) != 0 ||
	    (e = rd_u64(&r, &c->info.valid_after)) != 0 ||
	    (e = rd_u64(&r, &c->info.valid_before)) != 0 ||
	    (e = cert_read_pairs(&r, c, cert_critical)) != 0 ||
	    (e = cert_read_pairs(&r, c, cert_extension)) != 0 ||
	    (e = rd_string(&r, &reserved, &reserved_len)) != 0)
		goto out;
	if (c->info.type != KEY_CERT_USER && c->info.type != KEY_CERT_HOST) {
		e = ERR_FORMAT;
		goto out;
	}
	if ((e = cert_read_signature(&r, c, blob)) != 0)
		goto out;
	if ((e = cert_make_sig_algs(impl->sig_algs, &c->sig_algs)) != 0 ||
	    (e = buf_put(&c->blob, blob, n)) != 0)
		goto out;
	c->info.key_id = c->key_id;
	c->info.principals = (const char *const *)c->principals;
	c->info.force_command = c->force_command;
	c->info.source_address = c->source_address;
	c->info.unknown_critical = c->unknown_critical;
	c->info.sig_alg = c->sig_alg;
	k->cert = c;
	c = NULL;
	*out = k;
	k = NULL;
out:
	key_cert_free(c);
	key_free(k);
	return e;
}

int key_cert_to_blob(const struct key *k, struct buf *out)
{
	return buf_put(out, buf_ptr(&k->cert->blob), buf_len(&k->cert->blob));
}

const char *key_cert_name(const struct key *k)
{
	return k->cert->name;
}

const char *key_cert_sig_algs(const struct key *k)
{
	return k->cert->sig_algs;
}

int key_is_cert(const struct key *k)
{
	return k != NULL && k->cert != NULL;
}

const struct key *key_cert_signer(const struct key *k)
{
	return key_is_cert(k) ? k->cert->ca : NULL;
}

const struct key_cert_info *key_cert_info(const struct key *k)
{
	return key_is_cert(k) ? &k->cert->info : NULL;
}

/* '*' and '?' wildcards (host certificate principals, as ssh(1) accepts them). */
static int cert_glob(const char *s, const char *pat)
{
	const char *star_p = NULL, *star_s = NULL;

	while (*s != '\0') {
		if (*pat == '*') {
			star_p = ++pat;
			star_s = s;
		} else if (*pat != '\0' && (*pat == '?' || *pat == *s)) {
			pat++;
			s++;
		} else if (star_p != NULL) {
			pat = star_p;
			s = ++star_s;
		} else {
			return 0;
		}
	}
	while (*pat == '*')
		pat++;
	return *pat == '\0';
}

/* OpenSSH's reasons (sshkey.c sshkey_cert_check_authority) so logs read the same. */
int key_cert_check(const struct key *k, int type, const char *principal, uint64_t now,
		   const char **why)
{
	const struct key_cert_info *ci = key_cert_info(k);
	const char *reason = NULL;

	if (ci == NULL)
		reason = "Key is not a certificate";
	else if (type == KEY_CERT_HOST && ci->type != KEY_CERT_HOST)
		reason = "Certificate invalid: not a host certificate";
	else if (type != KEY_CERT_HOST && ci->type != KEY_CERT_USER)
		reason = "Certificate invalid: not a user certificate";
	else if (now < ci->valid_after)
		reason = "Certificate invalid: not yet valid";
	else if (now >= ci->valid_before)
		reason = "Certificate invalid: expired";
	else if (ci->n_principals == 0) {
		if (type != KEY_CERT_HOST)
			reason = "Certificate lacks principal list";
	} else if (principal != NULL) {
		int found = 0;

		for (size_t i = 0; i < ci->n_principals && !found; i++)
			found = type == KEY_CERT_HOST ? cert_glob(principal, ci->principals[i]) :
							strcmp(principal, ci->principals[i]) == 0;
		if (!found)
			reason = "Certificate invalid: name is not a listed principal";
	}
	if (reason == NULL)
		return 0;
	if (why != NULL)
		*why = reason;
	return ERR_PERMISSION;
}

/* A second key_cert with the same contents (parsed again from the blob). */
static int cert_copy(const struct key_cert *c, struct key_cert **out)
{
	struct key *tmp = NULL;
	int r;

	if ((r = key_cert_from_blob(buf_ptr(&c->blob), buf_len(&c->blob), &tmp)) != 0)
		return r;
	*out = tmp->cert;
	tmp->cert = NULL;
	key_free(tmp);
	return 0;
}

int key_dup(const struct key *k, struct key **out)
{
	struct key_cert *c = NULL;
	struct key *d;
	int r;

	if (k->cert != NULL && (r = cert_copy(k->cert, &c)) != 0)
		return r;
	/* EVP_PKEY objects are not modified once made: share one with a reference. */
	if (EVP_PKEY_up_ref(k->pkey) != 1) {
		key_cert_free(c);
		return ERR_CRYPTO;
	}
	if ((r = key_wrap(k->impl, k->pkey, k->has_private, &d)) != 0) {
		key_cert_free(c);
		return r;
	}
	d->cert = c;
	*out = d;
	return 0;
}

int key_cert_plain(const struct key *k, struct key **out)
{
	struct key *d;

	if (EVP_PKEY_up_ref(k->pkey) != 1)
		return ERR_CRYPTO;
	if (key_wrap(k->impl, k->pkey, k->has_private, &d) != 0)
		return ERR_ALLOC;
	*out = d;
	return 0;
}

int key_cert_attach(struct key *priv, const struct key *cert)
{
	struct key_cert *c;
	int r;

	if (priv == NULL || cert == NULL || cert->cert == NULL || priv->impl != cert->impl ||
	    EVP_PKEY_eq(priv->pkey, cert->pkey) != 1)
		return ERR_INVALID_ARG;
	if ((r = cert_copy(cert->cert, &c)) != 0)
		return r;
	key_cert_free(priv->cert);
	priv->cert = c;
	return 0;
}

int key_cert_plain_blob(const struct key *k, struct buf *out)
{
	size_t start = buf_len(out);
	int r;

	if ((r = buf_put_cstring(out, k->impl->name)) != 0)
		return r;
	if ((r = k->impl->pub_write(k->pkey, out)) != 0)
		buf_consume_end(out, buf_len(out) - start);
	return r;
}

int key_cert_name_known(const char *name, size_t n)
{
	const struct cert_name *cn = cert_name_lookup(name, n);

	return cn != NULL && key_impl_by_name(cn->plain, strlen(cn->plain)) != NULL;
}
