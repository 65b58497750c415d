/* Creating and freeing a transport: algorithm lists filtered to what we implement. */
#include <stdlib.h>
#include <string.h>

#include "transport/tp_int.h"
#include "util/err.h"
#include "util/log.h"
#include "util/mem.h"

/* name in the n-byte, not NUL-terminated comma list? */
static int list_has_n(const uint8_t *list, size_t n, const char *name)
{
	size_t len = strlen(name), i = 0;

	while (i < n) {
		const uint8_t *c = memchr(list + i, ',', n - i);
		size_t e = c != NULL ? (size_t)(c - list) : n;

		if (e - i == len && memcmp(list + i, name, len) == 0)
			return 1;
		i = e + 1;
	}
	return 0;
}

/*
 * Keep the names of `wanted` (in its order) that ok() accepts and, if allow
 * is not NULL, that it lists; drop duplicates. ERR_NO_MATCH if none is left.
 */
static int filter_list(const char *wanted, int (*ok)(const char *), const char *allow,
		       char **out)
{
	const char *s = wanted, *c;
	char name[128];
	struct buf b;
	size_t n;
	int r = 0;

	buf_init(&b);
	for (;;) {
		c = strchr(s, ',');
		n = c != NULL ? (size_t)(c - s) : strlen(s);
		if (n > 0 && n < sizeof(name)) {
			memcpy(name, s, n);
			name[n] = '\0';
			if ((ok == NULL || ok(name)) && (allow == NULL || tp_list_has(allow, name)) &&
			    !list_has_n(buf_ptr(&b), buf_len(&b), name)) {
				if ((buf_len(&b) > 0 && (r = buf_put_u8(&b, ',')) != 0) ||
				    (r = buf_put(&b, name, n)) != 0)
					goto out;
			}
		}
		if (c == NULL)
			break;
		s = c + 1;
	}
	if (buf_len(&b) == 0) {
		r = ERR_NO_MATCH;
		goto out;
	}
	if ((r = buf_put_u8(&b, '\0')) != 0)
		goto out;
	if ((*out = strdup((const char *)buf_ptr(&b))) == NULL)
		r = ERR_ALLOC;
out:
	buf_free(&b);
	return r;
}

static int kex_ok(const char *name)
{
	return kex_alg_by_name(name) != NULL;
}

static int cipher_ok(const char *name)
{
	return cipher_by_name(name) != NULL;
}

static int mac_ok(const char *name)
{
	return mac_by_name(name) != NULL;
}

static int comp_ok(const char *name)
{
	enum tp_comp c;

	return tp_comp_by_name(name, &c) == 0;
}

/* Server: signature algorithms of our host keys (restricted by the config if set). */
static int server_hostkey_list(const struct tp_config *cfg, char **out)
{
	struct buf all;
	int r = 0;

	buf_init(&all);
	for (size_t i = 0; i < cfg->n_hostkeys; i++) {
		const char *algs;

		if (cfg->hostkeys[i] == NULL || !key_has_private(cfg->hostkeys[i])) {
			r = ERR_INVALID_ARG;
			goto out;
		}
		algs = key_sig_algs(cfg->hostkeys[i]);
		if ((buf_len(&all) > 0 && (r = buf_put_u8(&all, ',')) != 0) ||
		    (r = buf_put(&all, algs, strlen(algs))) != 0)
			goto out;
	}
	if ((r = buf_put_u8(&all, '\0')) != 0)
		goto out;
	r = filter_list((const char *)buf_ptr(&all), NULL, cfg->hostkey_algs, out);
out:
	buf_free(&all);
	return r;
}

int tp_new(const struct tp_config *cfg, struct tp **out)
{
	struct tp *t;
	int r;

	if (cfg == NULL || (cfg->server && cfg->n_hostkeys == 0))
		return ERR_INVALID_ARG;
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return ERR_ALLOC;
	buf_init(&t->in);
	buf_init(&t->out);
	buf_init(&t->queue);
	buf_init(&t->zin);
	buf_init(&t->zout);
	buf_init(&t->kx.my_kexinit);
	buf_init(&t->kx.peer_kexinit);
	buf_init(&t->kx.q_c);
	/* Input and held payloads are bounded by the caller's reading, not here. */
	buf_set_max(&t->in, SIZE_MAX);
	buf_set_max(&t->out, SIZE_MAX);
	buf_set_max(&t->queue, SIZE_MAX);
	buf_set_max(&t->zin, SIZE_MAX);
	buf_set_max(&t->zout, SIZE_MAX);
	t->server = cfg->server;
	t->rekey_bytes = cfg->rekey_bytes;
	t->rekey_seconds = cfg->rekey_seconds;
	t->check_hostkey = cfg->check_hostkey;
	t->arg = cfg->arg;
	if ((r = filter_list(cfg->kex_algs != NULL ? cfg->kex_algs : kex_default_list(), kex_ok,
			     NULL, &t->kex_list)) != 0 ||
	    (r = filter_list(cfg->ciphers != NULL ? cfg->ciphers : cipher_default_list(),
			     cipher_ok, NULL, &t->cipher_list)) != 0 ||
	    (r = filter_list(cfg->macs != NULL ? cfg->macs : mac_default_list(), mac_ok, NULL,
			     &t->mac_list)) != 0 ||
	    (r = filter_list(cfg->compression != NULL ? cfg->compression : "none", comp_ok, NULL,
			     &t->comp_list)) != 0)
		goto out;
	if (t->server) {
		if ((r = server_hostkey_list(cfg, &t->hostkey_list)) != 0)
			goto out;
		if ((t->hostkeys = calloc(cfg->n_hostkeys, sizeof(*t->hostkeys))) == NULL) {
			r = ERR_ALLOC;
			goto out;
		}
		memcpy(t->hostkeys, cfg->hostkeys, cfg->n_hostkeys * sizeof(*t->hostkeys));
		t->n_hostkeys = cfg->n_hostkeys;
	} else if ((r = filter_list(cfg->hostkey_algs != NULL ? cfg->hostkey_algs : "ssh-ed25519",
				    NULL, NULL, &t->hostkey_list)) != 0) {
		goto out;
	}
	if (cfg->moduli_file != NULL && (t->moduli_file = strdup(cfg->moduli_file)) == NULL) {
		r = ERR_ALLOC;
		goto out;
	}
	if ((t->software = strdup(cfg->software != NULL ? cfg->software : "burrow_0.1.0")) == NULL) {
		r = ERR_ALLOC;
		goto out;
	}
	*out = t;
	t = NULL;
out:
	tp_free(t);
	return r == ERR_NO_MATCH ? ERR_INVALID_ARG : r;
}

const char *tp_our_offer(const struct tp *t)
{
	return t->no_match_ours;
}

void tp_free(struct tp *t)
{
	if (t == NULL)
		return;
	tp_kex_clear(&t->kx);
	tp_dir_set_cipher(&t->rx, NULL);
	tp_dir_set_cipher(&t->tx, NULL);
	tp_comp_free(&t->rx);
	tp_comp_free(&t->tx);
	buf_free(&t->zin);
	buf_free(&t->zout);
	buf_free(&t->in);
	buf_free(&t->out);
	buf_free(&t->queue);
	free(t->kex_list);
	free(t->no_match_ours);
	free(t->hostkey_list);
	free(t->cipher_list);
	free(t->mac_list);
	free(t->comp_list);
	free(t->software);
	free(t->moduli_file);
	free(t->hostkeys);
	free(t->v_ours);
	free(t->v_peer);
	free(t->server_sig_algs);
	key_free(t->first_hostkey);
	mem_wipe(t->session_id, sizeof(t->session_id));
	free(t);
}
