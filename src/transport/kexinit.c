/*
 * SSH_MSG_KEXINIT build, parse and algorithm negotiation, RFC 4253 section 7.1:
 *   byte SSH_MSG_KEXINIT, byte[16] cookie,
 *   name-list kex, server_host_key, enc c2s, enc s2c, mac c2s, mac s2c,
 *   comp c2s, comp s2c, lang c2s, lang s2c,
 *   boolean first_kex_packet_follows, uint32 0
 */
#include <stdlib.h>
#include <string.h>

#include "transport/tp_int.h"
#include "util/err.h"
#include "util/log.h"
#include "wire/rd.h"

enum { NL_KEX, NL_HOSTKEY, NL_ENC_CS, NL_ENC_SC, NL_MAC_CS, NL_MAC_SC, NL_COMP_CS, NL_COMP_SC,
       NL_LANG_CS, NL_LANG_SC, NL_COUNT };

struct kexinit {
	char *nl[NL_COUNT];
	int first_follows;
};

static void kexinit_free(struct kexinit *k)
{
	for (int i = 0; i < NL_COUNT; i++)
		free(k->nl[i]);
}

/* Element [start, start+n) of a list equal to name? */
static int elem_eq(const char *start, size_t n, const char *name)
{
	return strlen(name) == n && memcmp(start, name, n) == 0;
}

int tp_list_has(const char *list, const char *name)
{
	const char *s = list, *c;

	if (list == NULL)
		return 0;
	for (;;) {
		c = strchr(s, ',');
		if (elem_eq(s, c != NULL ? (size_t)(c - s) : strlen(s), name))
			return 1;
		if (c == NULL)
			return 0;
		s = c + 1;
	}
}

static int is_marker(const char *s, size_t n)
{
	return elem_eq(s, n, TP_EXT_INFO_C) || elem_eq(s, n, TP_EXT_INFO_S) ||
	       elem_eq(s, n, TP_STRICT_C) || elem_eq(s, n, TP_STRICT_S);
}

/* First element of client that server also lists (markers skipped); NULL if none. */
static char *choose(const char *client, const char *server)
{
	const char *s = client, *c;
	size_t n;

	while (*s != '\0') {
		c = strchr(s, ',');
		n = c != NULL ? (size_t)(c - s) : strlen(s);
		if (n > 0 && !is_marker(s, n)) {
			char *name = strndup(s, n);

			if (name == NULL)
				return NULL;
			if (tp_list_has(server, name))
				return name;
			free(name);
		}
		if (c == NULL)
			break;
		s = c + 1;
	}
	return NULL;
}

static int first_equal(const char *a, const char *b)
{
	size_t na = strcspn(a, ","), nb = strcspn(b, ",");

	return na == nb && memcmp(a, b, na) == 0;
}

int tp_kexinit_build(struct tp *t, struct buf *out)
{
	uint8_t cookie[16];
	struct buf kex;
	int r;

	buf_init(&kex);
	if ((r = crypto_random(cookie, sizeof(cookie))) != 0)
		goto out;
	if ((r = buf_put(&kex, t->kex_list, strlen(t->kex_list))) != 0)
		goto out;
	/* RFC 8308 and OpenSSH PROTOCOL 1.10: markers only in the first KEXINIT. */
	if (t->kex_count == 0) {
		const char *ext = t->server ? TP_EXT_INFO_S : TP_EXT_INFO_C;
		const char *strict = t->server ? TP_STRICT_S : TP_STRICT_C;

		if ((r = buf_put_u8(&kex, ',')) != 0 || (r = buf_put(&kex, ext, strlen(ext))) != 0 ||
		    (r = buf_put_u8(&kex, ',')) != 0 ||
		    (r = buf_put(&kex, strict, strlen(strict))) != 0)
			goto out;
	}
	buf_reset(out);
	if ((r = buf_put_u8(out, SSH_MSG_KEXINIT)) != 0 ||
	    (r = buf_put(out, cookie, sizeof(cookie))) != 0 ||
	    (r = buf_put_stringb(out, &kex)) != 0 ||
	    (r = buf_put_cstring(out, t->hostkey_list)) != 0 ||
	    (r = buf_put_cstring(out, t->cipher_list)) != 0 ||
	    (r = buf_put_cstring(out, t->cipher_list)) != 0 ||
	    (r = buf_put_cstring(out, t->mac_list)) != 0 ||
	    (r = buf_put_cstring(out, t->mac_list)) != 0 ||
	    (r = buf_put_cstring(out, t->comp_list)) != 0 ||
	    (r = buf_put_cstring(out, t->comp_list)) != 0 ||
	    (r = buf_put_cstring(out, "")) != 0 ||
	    (r = buf_put_cstring(out, "")) != 0 ||
	    (r = buf_put_bool(out, 0)) != 0 ||
	    (r = buf_put_u32(out, 0)) != 0)
		goto out;
out:
	buf_free(&kex);
	return r;
}

static int kexinit_parse(const uint8_t *p, size_t n, struct kexinit *k)
{
	struct kexinit tmp;
	struct rd rd;
	uint8_t type;
	uint32_t reserved;
	int r, i;

	memset(&tmp, 0, sizeof(tmp));
	rd_init(&rd, p, n);
	if ((r = rd_u8(&rd, &type)) != 0 || (r = rd_skip(&rd, 16)) != 0)
		goto out;
	for (i = 0; i < NL_COUNT; i++)
		if ((r = rd_cstring(&rd, &tmp.nl[i])) != 0)
			goto out;
	if ((r = rd_bool(&rd, &tmp.first_follows)) != 0 || (r = rd_u32(&rd, &reserved)) != 0 ||
	    (r = rd_end(&rd)) != 0)
		goto out;
	*k = tmp;
	return 0;
out:
	kexinit_free(&tmp);
	return r;
}

void tp_algs_clear(struct tp_algs *a)
{
	free(a->hostkey_alg);
	memset(a, 0, sizeof(*a));
}

/* Our list as the user configured it: without the ext-info / strict-KEX markers. */
static char *offer_without_markers(const char *list)
{
	char *out = malloc(strlen(list) + 1), *q = out;

	if (out == NULL)
		return NULL;
	for (const char *p = list; *p != '\0';) {
		const char *end = strchr(p, ',');
		size_t len = end != NULL ? (size_t)(end - p) : strlen(p);

		if (strncmp(p, "ext-info-", 9) != 0 && strncmp(p, "kex-strict-", 11) != 0) {
			if (q != out)
				*q++ = ',';
			memcpy(q, p, len);
			q += len;
		}
		p += len + (end != NULL);
	}
	*q = '\0';
	return out;
}

static int no_match(struct tp *t, const char *what, const char *client, const char *server,
		    const char *theirs)
{
	log_debug("no matching %s found: client %s server %s", what, client, server);
	free(t->no_match_ours);
	t->no_match_ours = offer_without_markers(t->server ? server : client);
	return tp_fail(t, ERR_NO_MATCH, SSH_DISCONNECT_KEY_EXCHANGE_FAILED,
		       "no matching %s found. Their offer: %s", what, theirs);
}

/* Negotiate one cipher direction. */
static int choose_cipher(struct tp *t, const char *cl, const char *sv, const char *theirs,
			 const struct cipher_alg **out)
{
	char *name = choose(cl, sv);

	if (name == NULL || (*out = cipher_by_name(name)) == NULL) {
		free(name);
		return no_match(t, "cipher", cl, sv, theirs);
	}
	free(name);
	return 0;
}

/* Negotiate one MAC direction; AEAD ciphers have an implicit MAC (PROTOCOL 1.6). */
static int choose_mac(struct tp *t, const struct cipher_alg *cipher, const char *cl,
		      const char *sv, const char *theirs, const struct mac_alg **out)
{
	const struct mac_alg *m;
	char *name;

	if (cipher->tag_len > 0) {
		*out = NULL;
		return 0;
	}
	name = choose(cl, sv);
	m = mac_by_name(name);
	free(name);
	if (m == NULL)
		return no_match(t, "MAC", cl, sv, theirs);
	*out = m;
	return 0;
}

static int choose_comp(struct tp *t, const char *cl, const char *sv, const char *theirs,
		       enum tp_comp *out)
{
	char *name = choose(cl, sv);
	int r = name != NULL ? tp_comp_by_name(name, out) : ERR_NO_MATCH;

	free(name);
	if (r != 0)
		return no_match(t, "compression method", cl, sv, theirs);
	return 0;
}

static const char *mac_log_name(const struct mac_alg *m)
{
	return m != NULL ? m->name : "<implicit>";
}

int tp_kexinit_negotiate(struct tp *t, const uint8_t *peer, size_t len, struct tp_algs *out)
{
	struct kexinit mine, theirs;
	const struct kexinit *cl, *sv;
	struct tp_algs a;
	char *name = NULL;
	int r;

	memset(&mine, 0, sizeof(mine));
	memset(&theirs, 0, sizeof(theirs));
	memset(&a, 0, sizeof(a));
	if ((r = kexinit_parse(buf_ptr(&t->kx.my_kexinit), buf_len(&t->kx.my_kexinit), &mine)) != 0)
		goto out;
	if ((r = kexinit_parse(peer, len, &theirs)) != 0) {
		r = tp_fail(t, r, SSH_DISCONNECT_PROTOCOL_ERROR, "malformed KEXINIT");
		goto out;
	}
	cl = t->server ? &theirs : &mine;
	sv = t->server ? &mine : &theirs;

	if ((name = choose(cl->nl[NL_KEX], sv->nl[NL_KEX])) == NULL ||
	    (a.kex = kex_alg_by_name(name)) == NULL) {
		r = no_match(t, "key exchange method", cl->nl[NL_KEX], sv->nl[NL_KEX],
			     theirs.nl[NL_KEX]);
		goto out;
	}
	if ((a.hostkey_alg = choose(cl->nl[NL_HOSTKEY], sv->nl[NL_HOSTKEY])) == NULL) {
		r = no_match(t, "host key type", cl->nl[NL_HOSTKEY], sv->nl[NL_HOSTKEY],
			     theirs.nl[NL_HOSTKEY]);
		goto out;
	}
	if ((r = choose_cipher(t, cl->nl[NL_ENC_CS], sv->nl[NL_ENC_CS], theirs.nl[NL_ENC_CS],
			       &a.c2s)) != 0 ||
	    (r = choose_cipher(t, cl->nl[NL_ENC_SC], sv->nl[NL_ENC_SC], theirs.nl[NL_ENC_SC],
			       &a.s2c)) != 0)
		goto out;
	/* RFC 4253 7.1: MAC and compression lists negotiated like the ciphers. */
	if ((r = choose_mac(t, a.c2s, cl->nl[NL_MAC_CS], sv->nl[NL_MAC_CS], theirs.nl[NL_MAC_CS],
			    &a.mac_c2s)) != 0 ||
	    (r = choose_mac(t, a.s2c, cl->nl[NL_MAC_SC], sv->nl[NL_MAC_SC], theirs.nl[NL_MAC_SC],
			    &a.mac_s2c)) != 0 ||
	    (r = choose_comp(t, cl->nl[NL_COMP_CS], sv->nl[NL_COMP_CS], theirs.nl[NL_COMP_CS],
			     &a.comp_c2s)) != 0 ||
	    (r = choose_comp(t, cl->nl[NL_COMP_SC], sv->nl[NL_COMP_SC], theirs.nl[NL_COMP_SC],
			     &a.comp_s2c)) != 0)
		goto out;
	a.peer_strict = tp_list_has(theirs.nl[NL_KEX], t->server ? TP_STRICT_C : TP_STRICT_S);
	a.peer_ext_info = tp_list_has(theirs.nl[NL_KEX], t->server ? TP_EXT_INFO_C : TP_EXT_INFO_S);
	/* RFC 4253 7: a guessed packet is wrong unless both first choices were right. */
	a.ignore_guess = theirs.first_follows &&
			 (!first_equal(theirs.nl[NL_KEX], name) ||
			  !first_equal(theirs.nl[NL_HOSTKEY], a.hostkey_alg));
	log_debug("kex: algorithm: %s", a.kex->name);
	log_debug("kex: host key algorithm: %s", a.hostkey_alg);
	log_debug("kex: client->server cipher: %s MAC: %s compression: %s", a.c2s->name,
		  mac_log_name(a.mac_c2s), tp_comp_name(a.comp_c2s));
	log_debug("kex: server->client cipher: %s MAC: %s compression: %s", a.s2c->name,
		  mac_log_name(a.mac_s2c), tp_comp_name(a.comp_s2c));
	/* Installed with the keys at NEWKEYS (tp_dir_set_cipher). */
	t->tx.next_comp = t->server ? a.comp_s2c : a.comp_c2s;
	t->rx.next_comp = t->server ? a.comp_c2s : a.comp_s2c;
	*out = a;
	memset(&a, 0, sizeof(a));
	r = 0;
out:
	free(name);
	tp_algs_clear(&a);
	kexinit_free(&mine);
	kexinit_free(&theirs);
	return r;
}
