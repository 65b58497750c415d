#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "wire/buf.h"

#define PAYLOAD_MAX 4100

size_t payload_make(uint32_t i, uint8_t *out, size_t max)
{
	/* Lengths vary from 6 to ~4000 bytes so packets cross block boundaries. */
	size_t len = 6 + (size_t)((i * 2654435761u) % 4000u);
	uint32_t x = i * 40503u + 1;

	if (len > max)
		len = max;
	out[0] = SSH_MSG_CHANNEL_DATA;
	put_u32be(out + 1, i);
	for (size_t k = 5; k < len; k++) {
		x = x * 1103515245u + 12345u;
		out[k] = (uint8_t)(x >> 16);
	}
	return len;
}

static int check_hostkey(void *arg, const struct key *hostkey)
{
	struct pair *p = arg;

	p->hostkey_calls++;
	if (!key_equal(hostkey, p->hostkey))
		return ERR_HOSTKEY_CHANGED;
	return p->hostkey_verdict;
}

int pair_new(struct pair *p, const struct pair_opts *o, unsigned seed)
{
	struct tp_config cc, sc;
	int r;

	memset(p, 0, sizeof(*p));
	p->seed = seed;
	if ((r = key_generate(KEY_ED25519, &p->hostkey)) != 0)
		return r;
	memset(&cc, 0, sizeof(cc));
	memset(&sc, 0, sizeof(sc));
	cc.ciphers = sc.ciphers = o != NULL ? o->ciphers : NULL;
	if (o != NULL) {
		if (o->ciphers_s != NULL)
			sc.ciphers = o->ciphers_s;
		cc.macs = o->macs_c;
		sc.macs = o->macs_s;
		cc.compression = o->comp_c;
		sc.compression = o->comp_s;
		cc.kex_algs = sc.kex_algs = o->kex_algs;
		sc.moduli_file = o->moduli_file;
	}
	cc.rekey_bytes = o != NULL ? o->rekey_bytes_c : 0;
	sc.rekey_bytes = o != NULL ? o->rekey_bytes_s : 0;
	cc.rekey_seconds = o != NULL ? o->rekey_seconds_c : 0;
	cc.check_hostkey = check_hostkey;
	cc.arg = p;
	sc.server = 1;
	sc.hostkeys = &p->hostkey;
	sc.n_hostkeys = 1;
	sc.software = "burrowd_test";
	if ((r = tp_new(&cc, &p->c.tp)) != 0 || (r = tp_new(&sc, &p->s.tp)) != 0)
		return r;
	return 0;
}

void pair_free(struct pair *p)
{
	tp_free(p->c.tp);
	tp_free(p->s.tp);
	key_free(p->hostkey);
}

int pair_start(struct pair *p)
{
	int r;

	if ((r = tp_start(p->c.tp)) != 0 || (r = tp_start(p->s.tp)) != 0)
		return r;
	return 0;
}

static void note_err(struct side *s, int r)
{
	if (r != 0 && r != ERR_AGAIN && s->err == 0)
		s->err = r;
}

int side_drain(struct side *s)
{
	uint8_t want[PAYLOAD_MAX];
	const uint8_t *pl;
	size_t len, wlen;
	int r;

	while ((r = tp_read_packet(s->tp, &pl, &len)) == 0) {
		if (len >= 5 && pl[0] == SSH_MSG_CHANNEL_DATA) {
			wlen = payload_make(s->next_expected, want, sizeof(want));
			if (len != wlen || memcmp(pl, want, len) != 0) {
				fprintf(stderr, "payload %u mismatch (got index %u len %zu)\n",
					s->next_expected, get_u32be(pl + 1), len);
				s->bad = 1;
			}
			s->next_expected++;
		} else {
			s->other++;
			s->last_type = pl[0];
		}
	}
	note_err(s, r);
	return r == ERR_AGAIN ? 0 : r;
}

int side_send(struct pair *p, struct side *from)
{
	uint8_t buf[PAYLOAD_MAX];
	size_t len = payload_make(from->next_to_send, buf, sizeof(buf));
	int r;

	(void)p;
	if ((r = tp_send(from->tp, buf, len)) == 0)
		from->next_to_send++;
	return r;
}

int pair_step(struct pair *p, struct side *from, struct side *to, size_t max)
{
	struct buf *out = tp_outbuf(from->tp);
	size_t moved = 0;
	int r = 0;

	while (buf_len(out) > 0 && moved < max && r == 0) {
		size_t chunk = 1 + (size_t)rand_r(&p->seed) % 3000;

		if (rand_r(&p->seed) % 4 == 0)
			chunk = 1 + (size_t)rand_r(&p->seed) % 7;
		if (chunk > buf_len(out))
			chunk = buf_len(out);
		if (chunk > max - moved)
			chunk = max - moved;
		r = tp_input(to->tp, buf_ptr(out), chunk);
		buf_consume(out, chunk);
		moved += chunk;
		note_err(to, r);
		if (r == 0)
			r = side_drain(to);
	}
	return r;
}

int pair_run(struct pair *p)
{
	int r;

	for (int i = 0; i < 100000; i++) {
		if (buf_len(tp_outbuf(p->c.tp)) == 0 && buf_len(tp_outbuf(p->s.tp)) == 0)
			break;
		if ((r = pair_step(p, &p->c, &p->s, SIZE_MAX)) != 0)
			return r;
		if ((r = pair_step(p, &p->s, &p->c, SIZE_MAX)) != 0)
			return r;
	}
	if (p->c.err != 0)
		return p->c.err;
	return p->s.err;
}
