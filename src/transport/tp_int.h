/*
 * Internal to src/transport: the connection state and the functions the
 * files of this layer share. Not for other layers.
 */
#ifndef BURROW_TRANSPORT_TP_INT_H
#define BURROW_TRANSPORT_TP_INT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"
#include "crypto/key.h"
#include "transport/transport.h"
#include "wire/buf.h"

#define TP_VERSION_MAX_LINE 255   /* bytes per identification line, CR LF included */
#define TP_VERSION_MAX_LINES 1024 /* lines a client accepts before the version line */
#define TP_PLAIN_BLOCK 8          /* padding multiple before the first NEWKEYS */
#define TP_MIN_PADDING 4
#define TP_MAX_PACKETS_PER_KEY (1ull << 31)
#define TP_ERR_MAX 512

/* Pseudo-algorithms in the kex name-list (RFC 8308; OpenSSH PROTOCOL 1.10). */
#define TP_EXT_INFO_C "ext-info-c"
#define TP_EXT_INFO_S "ext-info-s"
#define TP_STRICT_C "kex-strict-c-v00@openssh.com"
#define TP_STRICT_S "kex-strict-s-v00@openssh.com"

/* Compression methods (RFC 4253 6.2; OpenSSH PROTOCOL 2.2 for the delayed one). */
enum tp_comp { TP_COMP_NONE = 0, TP_COMP_ZLIB, TP_COMP_DELAYED };

struct tp_zstream; /* compress.c */

/* One direction of the packet stream. */
struct tp_dir {
	struct cipher_ctx *cipher; /* NULL before the first NEWKEYS: cleartext */
	uint32_t seq;              /* sequence number of the next packet */
	uint64_t bytes;            /* since the current keys were installed */
	uint64_t packets;
	enum tp_comp comp;         /* method of the current keys */
	enum tp_comp next_comp;    /* negotiated, installed with the next keys */
	int comp_authed;           /* USERAUTH_SUCCESS crossed: delayed compression may run */
	struct tp_zstream *z;      /* made on first use, kept for the connection's life */
};

enum tp_kex_step {
	TP_KX_IDLE,         /* no key exchange running */
	TP_KX_WAIT_KEXINIT, /* our KEXINIT sent, the peer's not yet received */
	TP_KX_WAIT_ECDH,    /* both KEXINITs seen: waiting for ECDH_INIT / ECDH_REPLY */
	TP_KX_WAIT_NEWKEYS, /* our NEWKEYS sent: waiting for the peer's */
};

/* Negotiation results of one KEXINIT pair. */
struct tp_algs {
	const struct kex_alg *kex;
	char *hostkey_alg;
	const struct cipher_alg *c2s;
	const struct cipher_alg *s2c;
	const struct mac_alg *mac_c2s; /* NULL for AEAD ciphers (implicit MAC) */
	const struct mac_alg *mac_s2c;
	enum tp_comp comp_c2s, comp_s2c;
	int peer_strict;      /* peer offered kex-strict-*-v00 */
	int peer_ext_info;    /* peer offered ext-info-c / ext-info-s */
	int ignore_guess;     /* peer's guessed KEX packet follows and is wrong */
};

struct tp_kex {
	enum tp_kex_step step;
	struct buf my_kexinit;   /* payloads, for the exchange hash */
	struct buf peer_kexinit;
	struct tp_algs algs;
	struct kex_priv *priv;   /* client ephemeral */
	struct buf q_c;          /* client public value */
	struct cipher_ctx *next_in, *next_out;
	/* diffie-hellman-group-exchange (kex_gex.c), RFC 4419 */
	int gex_expect;                /* GEX message we wait for; 0 = not a GEX exchange */
	uint32_t gex_min, gex_n, gex_max;
	struct kex_dh_group *gex_grp;
};

struct tp {
	int server;
	char *kex_list;      /* our offers, filtered to what we implement */
	char *hostkey_list;
	char *cipher_list;
	char *mac_list;
	char *comp_list;
	char *software;
	struct key **hostkeys; /* borrowed keys; array owned */
	size_t n_hostkeys;
	uint64_t rekey_bytes;
	uint32_t rekey_seconds;
	int (*check_hostkey)(void *arg, const struct key *hostkey);
	void *arg;

	int started;
	int dead;            /* fatal error or disconnect: no more traffic */
	int dead_err;        /* what tp_read_packet / tp_input report once dead */
	int eof;
	char err[TP_ERR_MAX];

	/* Version exchange. */
	char *v_ours;        /* without CR LF */
	char *v_peer;
	unsigned pre_lines;

	struct buf in, out;
	uint64_t bytes_in, bytes_out;
	uint64_t payload_in, payload_out; /* uncompressed payload bytes */
	struct buf zin, zout;             /* (de)compression scratch, reused per packet */
	int test_nocomp;                  /* tp_send_raw_nocomp: skip the compressor once */

	/* A decoded upper-layer packet waiting at the front of `in`. */
	size_t pend_total;   /* bytes it occupies in `in`; 0 = none */
	size_t pend_len;
	const uint8_t *pend_payload; /* into `in`, or into `zin` when decompressed */
	int pend_returned;   /* handed out; drop it on the next call */
	/* Length of the packet being assembled, once peeked. */
	uint32_t in_plen;
	int in_have_len;

	struct tp_dir rx, tx;
	struct tp_kex kx;
	struct buf queue;    /* held upper-layer payloads: uint32 len || payload, ... */
	int hold;            /* tp_send queues (our KEXINIT sent, our NEWKEYS not yet) */

	unsigned kex_count;
	int strict;          /* strict KEX negotiated in the first key exchange */
	int authenticated;
	int peer_ext_info;
	char *server_sig_algs;
	uint8_t session_id[HASH_MAX_LEN];
	size_t sid_len;
	struct key *first_hostkey; /* client: the server's key from the first KEX */
	const char *cur_kex;
	char *moduli_file;   /* server: GEX groups (NULL = TP_MODULI_FILE) */
	char *no_match_ours; /* after a failed negotiation: our list for that field */

	uint64_t now;
	uint64_t last_kex_time;
	int have_time;
};

/* transport.c */
int tp_fail(struct tp *t, int err, uint32_t reason, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void tp_kex_done(struct tp *t);
int tp_flush_queue(struct tp *t);

/* dispatch.c: handle one received payload; 1 = for the upper layers, 0 = consumed here. */
int tp_dispatch(struct tp *t, const uint8_t *p, size_t n, uint32_t seq);

/* version.c */
int tp_version_make(struct tp *t);
/* Consume identification lines from t->in: 0 once the peer's version is known, ERR_AGAIN, or fatal. */
int tp_version_input(struct tp *t);

/* packet.c */
/* Frame, protect and append one payload to t->out right now (no queueing). */
int tp_pkt_send(struct tp *t, const uint8_t *payload, size_t len);
/* In-place sending (tp_send_reserve/commit): ERR_AGAIN while compression is on. */
int tp_pkt_reserve(struct tp *t, size_t max, uint8_t **payload);
int tp_pkt_commit(struct tp *t, size_t len);
/*
 * Decode the next packet at the front of t->in in place. On success *payload
 * points into t->in, *total is how many bytes of t->in it occupies and *seq
 * its sequence number. ERR_AGAIN if incomplete.
 */
int tp_pkt_read(struct tp *t, uint8_t **payload, size_t *len, size_t *total, uint32_t *seq);
/* Install the next keys of a direction (and the compression negotiated with them). */
void tp_dir_set_cipher(struct tp_dir *d, struct cipher_ctx *c);
/*
 * Called from the key derivation right after the cipher contexts: derive the
 * integrity keys (RFC 4253 7.2, letters 'E' and 'F') and attach the
 * negotiated MACs to kx.next_in / kx.next_out. Nothing to do for AEAD.
 */
int tp_mac_keys(struct tp *t, const struct buf *k, const uint8_t *h, size_t h_len);
/* Bytes after which the keys of this direction must be renewed. */
uint64_t tp_rekey_limit(const struct tp *t, const struct tp_dir *d);

/* kexinit.c */
int tp_kexinit_build(struct tp *t, struct buf *out);
int tp_kexinit_negotiate(struct tp *t, const uint8_t *peer, size_t len, struct tp_algs *out);
void tp_algs_clear(struct tp_algs *a);
/* 1 if name is an element of the comma-separated list. */
int tp_list_has(const char *list, const char *name);

/* kex.c */
int tp_kex_begin(struct tp *t);
int tp_kex_on_kexinit(struct tp *t, const uint8_t *p, size_t n, uint32_t seq);
int tp_kex_on_ecdh_init(struct tp *t, const uint8_t *p, size_t n);
int tp_kex_on_ecdh_reply(struct tp *t, const uint8_t *p, size_t n);
int tp_kex_on_newkeys(struct tp *t, const uint8_t *p, size_t n);
void tp_kex_clear(struct tp_kex *kx);
/* The key exchange method message we wait for now (step TP_KX_WAIT_ECDH). */
int tp_kex_expected(const struct tp *t);
/* A method message (30..49) that tp_kex_expected() allowed. */
int tp_kex_on_method(struct tp *t, const uint8_t *p, size_t n);
/*
 * Shared ends of every method. `mid` is the method's part of the exchange
 * hash between K_S and K (RFC 5656 4: string Q_C || string Q_S; RFC 4419 3:
 * min || n || max || p || g || e || f). Server: sign, send
 * [reply_type, K_S, string q_s, signature] and NEWKEYS. Client: verify the
 * host key and signature, derive the keys, send NEWKEYS.
 */
int tp_kex_server_finish(struct tp *t, uint8_t reply_type, const struct buf *mid,
			 const uint8_t *q_s, size_t q_s_len, const struct buf *k);
int tp_kex_client_finish(struct tp *t, const uint8_t *ks, size_t ks_len, const struct buf *mid,
			 const struct buf *k, const uint8_t *sig, size_t sig_len);
/*
 * What tells one KEM-shaped method's final message pair apart: the message
 * names (for errors), the server's reply type, how the server encapsulates
 * to the client's value, and the method's `mid` part of the exchange hash.
 */
struct tp_kex_method {
	const char *init_name;
	const char *reply_name;
	uint8_t reply_type;
	int (*encaps)(const struct tp_kex *kx, const uint8_t *q_c, size_t q_c_len,
		      struct buf *q_s, struct buf *k);
	int (*mid)(const struct tp_kex *kx, const uint8_t *q_c, size_t q_c_len,
		   const uint8_t *q_s, size_t q_s_len, struct buf *mid);
};
/* Server: [byte, string q_c] -> reply. Client: [byte, K_S, string q_s, signature]. */
int tp_kex_method_on_init(struct tp *t, const struct tp_kex_method *m, const uint8_t *p, size_t n);
int tp_kex_method_on_reply(struct tp *t, const struct tp_kex_method *m, const uint8_t *p,
			   size_t n);

/* kex_gex.c: diffie-hellman-group-exchange, RFC 4419. */
enum {
	SSH_MSG_KEX_DH_GEX_GROUP = 31,
	SSH_MSG_KEX_DH_GEX_INIT = 32,
	SSH_MSG_KEX_DH_GEX_REPLY = 33,
	SSH_MSG_KEX_DH_GEX_REQUEST = 34,
};
#define TP_MODULI_FILE "/etc/ssh/moduli"
#define TP_GEX_MIN 2048 /* OpenSSH DH_GRP_MIN: smallest group either side accepts */
#define TP_GEX_MAX 8192 /* OpenSSH DH_GRP_MAX */
/* Both KEXINITs seen and a GEX method chosen: the client sends its request. */
int tp_gex_start(struct tp *t);
int tp_gex_on_msg(struct tp *t, const uint8_t *p, size_t n);
/* The group size a client asks for, from the negotiated ciphers and MACs. */
uint32_t tp_gex_wanted_bits(const struct tp_algs *a);

/* kex_moduli.c */
/*
 * Server's group for a GEX request: from the moduli(5) file at path (malformed
 * lines skipped), the smallest size >= want within [min, max] (random among
 * equals), else the largest below want; with no usable line, or no file, the
 * RFC 3526 group (2048/4096/8192) chosen the same way. ERR_NOT_FOUND if none fits.
 */
int tp_moduli_choose(const char *path, uint32_t min, uint32_t want, uint32_t max,
		     struct kex_dh_group **out);

/* compress.c */
int tp_comp_by_name(const char *name, enum tp_comp *out);
const char *tp_comp_name(enum tp_comp c);
/* Compression active on this direction now? */
int tp_comp_active(const struct tp_dir *d);
/* USERAUTH_SUCCESS sent (server) or received (client): delayed compression starts. */
void tp_comp_authenticated(struct tp *t);
/* Deflate a payload into t->zout (Z_PARTIAL_FLUSH). */
int tp_comp_deflate(struct tp *t, const uint8_t *p, size_t n);
/* Inflate a payload into t->zin, refusing more than TP_MAX_PACKET bytes of output. */
int tp_comp_inflate(struct tp *t, const uint8_t *p, size_t n);
/* New keys: the next compressed packet starts a fresh stream (RFC 4253 6.2). */
void tp_comp_reset(struct tp_dir *d);
void tp_comp_free(struct tp_dir *d);

/* extinfo.c */
int tp_extinfo_send(struct tp *t);
int tp_extinfo_input(struct tp *t, const uint8_t *p, size_t n);

#endif
