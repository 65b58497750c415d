/*
 * ECDSA (RFC 5656) and RSA (RFC 4253, RFC 8332) keys with ssh-keygen as the
 * oracle: committed key files (and ssh-keygen -l fingerprints) under data/
 * load; our signatures pass `ssh-keygen -Y verify` and we verify
 * `ssh-keygen -Y sign` output (PROTOCOL.sshsig); files we save and keys we
 * generate are accepted by `ssh-keygen -y`; malformed blobs are refused.
 * Usage: test_key_types DATA_DIR SSH_KEYGEN
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../check.h"
#include "crypto/crypto.h"
#include "crypto/key.h"
#include "test_key_util.h"
#include "util/err.h"
#include "wire/base64.h"
#include "wire/rd.h"

static const char *data_dir, *keygen;
static char tmp_dir[] = "/tmp/burrow-keytypes-XXXXXX";

static const struct {
	const char *file;
	enum key_type type;
	const char *name, *curve;
	int bits;
} files[] = {
	{ "id_ecdsa256", KEY_ECDSA_P256, "ecdsa-sha2-nistp256", "nistp256", 256 },
	{ "id_ecdsa384", KEY_ECDSA_P384, "ecdsa-sha2-nistp384", "nistp384", 384 },
	{ "id_ecdsa521", KEY_ECDSA_P521, "ecdsa-sha2-nistp521", "nistp521", 521 },
	{ "id_rsa2048", KEY_RSA, "ssh-rsa", NULL, 2048 },
};

#define SSHSIG_NS "burrow-test"

/* The data an SSHSIG signature covers (PROTOCOL.sshsig), with SHA-512 of msg. */
static void sshsig_signed_data(const char *msg, struct buf *out)
{
	uint8_t h[64];

	CHECK_INT(hash_digest(HASH_SHA512, msg, strlen(msg), h), 0);
	CHECK_INT(buf_put(out, "SSHSIG", 6), 0);
	CHECK_INT(buf_put_cstring(out, SSHSIG_NS), 0);
	CHECK_INT(buf_put_string(out, NULL, 0), 0);
	CHECK_INT(buf_put_cstring(out, "sha512"), 0);
	CHECK_INT(buf_put_string(out, h, sizeof(h)), 0);
}

/* Our signature in an armoured SSHSIG file; ssh-keygen -Y verify must accept it. */
static void oracle_our_signature(const struct key *k, const char *sig_alg, const char *tag)
{
	static const char msg[] = "signed by burrow\n";
	struct buf data, blob, sig, file, b64;
	char *msg_path = tk_path(tmp_dir, "msg"), *sig_path = tk_path(tmp_dir, "msg.sig");
	char *allowed = tk_path(tmp_dir, "allowed"), *out;
	struct buf line;

	buf_init(&data);
	buf_init(&blob);
	buf_init(&sig);
	buf_init(&file);
	buf_init(&b64);
	buf_init(&line);
	sshsig_signed_data(msg, &data);
	CHECK_INT(key_sign(k, sig_alg, buf_ptr(&data), buf_len(&data), &sig), 0);
	CHECK_INT(key_to_blob(k, &blob), 0);
	CHECK_INT(buf_put(&file, "SSHSIG", 6), 0);
	CHECK_INT(buf_put_u32(&file, 1), 0);
	CHECK_INT(buf_put_stringb(&file, &blob), 0);
	CHECK_INT(buf_put_cstring(&file, SSHSIG_NS), 0);
	CHECK_INT(buf_put_string(&file, NULL, 0), 0);
	CHECK_INT(buf_put_cstring(&file, "sha512"), 0);
	CHECK_INT(buf_put_stringb(&file, &sig), 0);
	CHECK_INT(base64_encode(&b64, buf_ptr(&file), buf_len(&file), 1), 0);
	buf_reset(&file);
	CHECK_INT(buf_put(&file, "-----BEGIN SSH SIGNATURE-----\n", 30), 0);
	for (size_t off = 0; off < buf_len(&b64); off += 70) {
		size_t n = buf_len(&b64) - off < 70 ? buf_len(&b64) - off : 70;

		CHECK_INT(buf_put(&file, buf_ptr(&b64) + off, n), 0);
		CHECK_INT(buf_put_u8(&file, '\n'), 0);
	}
	CHECK_INT(buf_put(&file, "-----END SSH SIGNATURE-----\n", 28), 0);
	CHECK_INT(tk_spit(sig_path, buf_ptr(&file), buf_len(&file)), 0);
	CHECK_INT(tk_spit(msg_path, msg, strlen(msg)), 0);
	CHECK_INT(buf_put(&line, "tester@burrow ", 14), 0);
	CHECK_INT(key_format_public(k, &line), 0);
	CHECK_INT(buf_put_u8(&line, '\n'), 0);
	CHECK_INT(tk_spit(allowed, buf_ptr(&line), buf_len(&line)), 0);
	out = tk_run("'%s' -Y verify -f '%s' -I tester@burrow -n " SSHSIG_NS " -s '%s' < '%s' 2>&1",
		     keygen, allowed, sig_path, msg_path);
	CHECK(out != NULL && strstr(out, "Good") != NULL);
	if (out == NULL)
		fprintf(stderr, "ssh-keygen -Y verify refused our %s signature (%s)\n", sig_alg, tag);
	free(out);
	free(msg_path);
	free(sig_path);
	free(allowed);
	buf_free(&data);
	buf_free(&blob);
	buf_free(&sig);
	buf_free(&file);
	buf_free(&b64);
	buf_free(&line);
}

/* ssh-keygen -Y sign with the key file; our key_verify must accept it (and not a forgery). */
static void oracle_their_signature(const char *key_path, const struct key *pub,
				   const char *expect_alg)
{
	static const char msg[] = "signed by ssh-keygen\n";
	char *msg_path = tk_path(tmp_dir, "theirs"), *sig_path = tk_path(tmp_dir, "theirs.sig");
	char *text = NULL, *out;
	const char *b, *e;
	const uint8_t *p, *sig;
	size_t n, sig_len;
	struct buf raw, data;
	struct key *signer = NULL;
	struct rd r;
	uint32_t ver;

	buf_init(&raw);
	buf_init(&data);
	CHECK_INT(tk_spit(msg_path, msg, strlen(msg)), 0);
	unlink(sig_path);
	/* A checkout may leave the key world-readable, which ssh-keygen refuses. */
	out = tk_run("install -m 600 '%s' '%s/signer'", key_path, tmp_dir);
	CHECK(out != NULL);
	free(out);
	out = tk_run("'%s' -Y sign -f '%s/signer' -n " SSHSIG_NS " '%s' 2>&1", keygen, tmp_dir,
		     msg_path);
	CHECK(out != NULL);
	free(out);
	if ((text = tk_slurp(sig_path, NULL)) == NULL) {
		CHECK(0);
		goto out;
	}
	b = strstr(text, "-----BEGIN SSH SIGNATURE-----");
	e = strstr(text, "-----END SSH SIGNATURE-----");
	CHECK(b != NULL && e != NULL);
	if (b == NULL || e == NULL)
		goto out;
	b += 29;
	CHECK_INT(base64_decode(&raw, b, (size_t)(e - b)), 0);
	rd_init(&r, buf_ptr(&raw), buf_len(&raw));
	CHECK_INT(rd_bytes(&r, 6, &p), 0);
	CHECK_INT(rd_u32(&r, &ver), 0);
	CHECK_INT(ver, 1);
	CHECK_INT(rd_string(&r, &p, &n), 0);
	CHECK_INT(key_from_blob(p, n, &signer), 0);
	CHECK(signer != NULL && key_equal(signer, pub));
	CHECK_INT(rd_string(&r, &p, &n), 0); /* namespace */
	CHECK_INT(rd_string(&r, &p, &n), 0); /* reserved */
	CHECK_INT(rd_string(&r, &p, &n), 0); /* hash */
	CHECK(n == 6 && memcmp(p, "sha512", 6) == 0);
	CHECK_INT(rd_string(&r, &sig, &sig_len), 0);
	CHECK_INT(rd_end(&r), 0);
	sshsig_signed_data(msg, &data);
	CHECK_INT(key_verify(pub, expect_alg, sig, sig_len, buf_ptr(&data), buf_len(&data)), 0);
	/* One changed byte of the signed data must fail. */
	buf_mutable_ptr(&data)[buf_len(&data) - 1] ^= 1;
	CHECK_INT(key_verify(pub, expect_alg, sig, sig_len, buf_ptr(&data), buf_len(&data)),
		  ERR_SIGNATURE);
out:
	key_free(signer);
	free(text);
	free(msg_path);
	free(sig_path);
	buf_free(&raw);
	buf_free(&data);
}

/* key_save_private output read back by ssh-keygen -y (public line) and -l (fingerprint). */
static void oracle_saved(const struct key *k, const char *name)
{
	char *path = tk_path(tmp_dir, name), *out;
	char fp[KEY_FP_MAX];
	struct key *back = NULL;
	struct buf line;
	char *c = NULL;

	buf_init(&line);
	CHECK_INT(key_save_private(k, path, "saved by burrow"), 0);
	CHECK_INT(key_format_public(k, &line), 0);
	CHECK_INT(buf_put_u8(&line, 0), 0);
	out = tk_run("'%s' -y -f '%s' 2>&1", keygen, path);
	CHECK(out != NULL && strncmp(out, (const char *)buf_ptr(&line), buf_len(&line) - 1) == 0);
	free(out);
	CHECK_INT(key_fingerprint(k, fp, sizeof(fp)), 0);
	out = tk_run("'%s' -l -f '%s' 2>&1", keygen, path);
	CHECK(out != NULL && strstr(out, fp) != NULL);
	free(out);
	CHECK_INT(key_load_private(path, &back, &c), 0);
	CHECK(back != NULL && key_equal(back, k) && key_has_private(back));
	CHECK(c != NULL && strcmp(c, "saved by burrow") == 0);
	key_free(back);
	free(c);
	free(path);
	buf_free(&line);
}

static void sign_verify_all(const struct key *priv, const struct key *pub)
{
	static const uint8_t msg[] = "exchange hash";
	char algs[128], *save = NULL;

	snprintf(algs, sizeof(algs), "%s", key_sig_algs(priv));
	for (char *a = strtok_r(algs, ",", &save); a != NULL; a = strtok_r(NULL, ",", &save)) {
		struct buf sig;
		const uint8_t *p;
		size_t n;
		struct rd r;

		buf_init(&sig);
		CHECK_INT(key_sign(priv, a, msg, sizeof(msg), &sig), 0);
		rd_init(&r, buf_ptr(&sig), buf_len(&sig));
		CHECK_INT(rd_string(&r, &p, &n), 0);
		CHECK(n == strlen(a) && memcmp(p, a, n) == 0);
		CHECK_INT(key_verify(pub, a, buf_ptr(&sig), buf_len(&sig), msg, sizeof(msg)), 0);
		CHECK_INT(key_verify(pub, NULL, buf_ptr(&sig), buf_len(&sig), msg, sizeof(msg)), 0);
		CHECK_INT(key_verify(pub, a, buf_ptr(&sig), buf_len(&sig), msg, sizeof(msg) - 1),
			  ERR_SIGNATURE);
		/* Another algorithm than the blob names, or one not of this key. */
		CHECK_INT(key_verify(pub, strcmp(a, "ssh-ed25519") == 0 ? "ssh-rsa" : "ssh-ed25519",
				     buf_ptr(&sig), buf_len(&sig), msg, sizeof(msg)), ERR_SIGNATURE);
		if (key_type(priv) == KEY_RSA)
			CHECK_INT(key_verify(pub, strcmp(a, "rsa-sha2-256") == 0 ? "rsa-sha2-512" :
						  "rsa-sha2-256", buf_ptr(&sig), buf_len(&sig),
					     msg, sizeof(msg)), ERR_SIGNATURE);
		buf_free(&sig);
	}
	{
		struct buf sig;

		buf_init(&sig);
		CHECK_INT(key_sign(priv, key_type(priv) == KEY_ED25519 ? "rsa-sha2-256" : "ssh-ed25519",
				   msg, sizeof(msg), &sig), ERR_KEY_TYPE);
		CHECK_INT(key_sign(pub, NULL, msg, sizeof(msg), &sig), ERR_INVALID_ARG);
		/* No algorithm: the key's first one (RSA: rsa-sha2-512, never SHA-1 by default). */
		CHECK_INT(key_sign(priv, NULL, msg, sizeof(msg), &sig), 0);
		CHECK_INT(key_verify(pub, key_type(priv) == KEY_RSA ? "rsa-sha2-512" :
					  key_type_name(priv), buf_ptr(&sig), buf_len(&sig), msg,
				     sizeof(msg)), 0);
		buf_free(&sig);
	}
}

static void test_files(void)
{
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char *priv_path = tk_path(data_dir, files[i].file), *pub_path, *fp_path, *fp_text;
		char exp_fp[KEY_FP_MAX] = "", fp[KEY_FP_MAX], *c = NULL, name[64];
		struct key *priv = NULL, *pub = NULL;
		struct buf blob;
		const uint8_t *p;
		size_t n;
		struct rd r;
		int bits = 0;

		snprintf(name, sizeof(name), "%s.pub", files[i].file);
		pub_path = tk_path(data_dir, name);
		snprintf(name, sizeof(name), "%s.fp", files[i].file);
		fp_path = tk_path(data_dir, name);
		fp_text = tk_slurp(fp_path, NULL);
		buf_init(&blob);
		CHECK(fp_text != NULL && sscanf(fp_text, "%d %79s", &bits, exp_fp) == 2);
		CHECK_INT(key_load_private(priv_path, &priv, &c), 0);
		CHECK_INT(key_load_public(pub_path, &pub, NULL), 0);
		if (priv == NULL || pub == NULL) {
			fprintf(stderr, "cannot load %s\n", files[i].file);
			goto next;
		}
		CHECK(c != NULL && strncmp(c, "test id_", 8) == 0);
		CHECK_INT(key_type(priv), files[i].type);
		CHECK_STR(key_type_name(priv), files[i].name);
		CHECK_INT(key_type_from_name(files[i].name), files[i].type);
		CHECK_INT(key_bits(priv), files[i].bits);
		CHECK_INT(key_bits(pub), bits);
		CHECK(key_equal(priv, pub));
		CHECK_INT(key_fingerprint(priv, fp, sizeof(fp)), 0);
		CHECK_STR(fp, exp_fp);
		if (files[i].type == KEY_RSA) {
			CHECK_STR(key_sig_algs(priv), "rsa-sha2-512,rsa-sha2-256,ssh-rsa");
		} else {
			CHECK_STR(key_sig_algs(priv), files[i].name);
		}
		/* Blob layout: ECDSA RFC 5656 section 3.1, RSA RFC 4253 section 6.6. */
		CHECK_INT(key_to_blob(pub, &blob), 0);
		rd_init(&r, buf_ptr(&blob), buf_len(&blob));
		CHECK_INT(rd_string(&r, &p, &n), 0);
		CHECK(n == strlen(files[i].name) && memcmp(p, files[i].name, n) == 0);
		if (files[i].curve != NULL) {
			CHECK_INT(rd_string(&r, &p, &n), 0);
			CHECK(n == 8 && memcmp(p, files[i].curve, 8) == 0);
			CHECK_INT(rd_string(&r, &p, &n), 0);
			CHECK(n == 1 + 2 * (size_t)((files[i].bits + 7) / 8) && p[0] == 4);
		} else {
			CHECK_INT(rd_mpint_pos(&r, &p, &n), 0);
			CHECK(n == 3 && p[0] == 1 && p[1] == 0 && p[2] == 1); /* e = 65537 */
			CHECK_INT(rd_mpint_pos(&r, &p, &n), 0);
			CHECK_INT(n, 256);
		}
		CHECK_INT(rd_end(&r), 0);
		sign_verify_all(priv, pub);
		if (files[i].type == KEY_RSA) {
			oracle_our_signature(priv, "rsa-sha2-512", files[i].file);
			oracle_our_signature(priv, "rsa-sha2-256", files[i].file);
			oracle_their_signature(priv_path, pub, "rsa-sha2-512");
		} else {
			oracle_our_signature(priv, files[i].name, files[i].file);
			oracle_their_signature(priv_path, pub, files[i].name);
		}
		oracle_saved(priv, files[i].file);
next:
		key_free(priv);
		key_free(pub);
		free(c);
		free(priv_path);
		free(pub_path);
		free(fp_path);
		free(fp_text);
		buf_free(&blob);
	}
}

static void test_generate(void)
{
	static const struct {
		enum key_type type;
		int bits;
	} gen[] = { { KEY_ECDSA_P256, 256 }, { KEY_ECDSA_P384, 384 }, { KEY_ECDSA_P521, 521 },
		    { KEY_RSA, 3072 }, { KEY_ED25519, 256 } };

	for (size_t i = 0; i < sizeof(gen) / sizeof(gen[0]); i++) {
		struct key *k = NULL, *pub = NULL;
		char name[32];

		CHECK_INT(key_generate(gen[i].type, &k), 0);
		if (k == NULL)
			continue;
		CHECK_INT(key_type(k), gen[i].type);
		CHECK_INT(key_bits(k), gen[i].bits);
		CHECK_INT(key_public_copy(k, &pub), 0);
		if (pub != NULL)
			sign_verify_all(k, pub);
		snprintf(name, sizeof(name), "gen%zu", i);
		oracle_saved(k, name);
		if (gen[i].type == KEY_RSA)
			oracle_our_signature(k, "rsa-sha2-512", name);
		else
			oracle_our_signature(k, key_type_name(k), name);
		key_free(k);
		key_free(pub);
	}
}

static void test_lists(void)
{
	static const char plain[] = "ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,"
				    "ecdsa-sha2-nistp521,rsa-sha2-512,rsa-sha2-256";
	const char *d = key_alg_default_list(), *s = key_alg_supported_list();

	/* Certificate names come first (OpenSSH's order); the plain ones in this order. */
	CHECK(strlen(d) >= strlen(plain) && strcmp(d + strlen(d) - strlen(plain), plain) == 0);
	CHECK(strstr(s, plain) != NULL);
	CHECK(strstr(s, ",ssh-rsa,") != NULL ||
	      (strlen(s) > 8 && strcmp(s + strlen(s) - 8, ",ssh-rsa") == 0));
	CHECK(strstr(d, ",ssh-rsa,") == NULL && strcmp(d + strlen(d) - 8, ",ssh-rsa") != 0);
	CHECK_INT(key_type_from_name("rsa-sha2-256"), KEY_UNKNOWN);
	CHECK_INT(key_type_from_name("ecdsa-sha2-nistp192"), KEY_UNKNOWN);
}

/* A public blob assembled by hand. */
static int blob_key(const struct buf *b, struct key **out)
{
	return key_from_blob(buf_ptr(b), buf_len(b), out);
}

static void test_bad_blobs(void)
{
	uint8_t big[200], q[65];
	struct key *k = NULL;
	struct buf b;
	char *pub_path = tk_path(data_dir, "id_ecdsa256.pub");
	struct key *good = NULL;
	struct buf gb;
	const uint8_t *p;
	size_t n;
	struct rd r;

	buf_init(&b);
	buf_init(&gb);
	/* RSA under 1024 bits: refused with OpenSSH's "Invalid key length". */
	memset(big, 0xc5, sizeof(big));
	CHECK_INT(buf_put_cstring(&b, "ssh-rsa"), 0);
	CHECK_INT(buf_put_mpint_bytes(&b, (const uint8_t *)"\x01\x00\x01", 3), 0);
	CHECK_INT(buf_put_mpint_bytes(&b, big, 96), 0); /* 768 bits */
	CHECK_INT(blob_key(&b, &k), ERR_KEY_LENGTH);
	CHECK_STR(err_str(ERR_KEY_LENGTH), "Invalid key length");
	/* Even exponent. */
	buf_reset(&b);
	CHECK_INT(buf_put_cstring(&b, "ssh-rsa"), 0);
	CHECK_INT(buf_put_mpint_bytes(&b, (const uint8_t *)"\x01\x00\x02", 3), 0);
	CHECK_INT(buf_put_mpint_bytes(&b, big, 128), 0);
	CHECK(blob_key(&b, &k) != 0);
	CHECK(k == NULL);

	CHECK_INT(key_load_public(pub_path, &good, NULL), 0);
	if (good == NULL)
		goto out;
	CHECK_INT(key_to_blob(good, &gb), 0);
	rd_init(&r, buf_ptr(&gb), buf_len(&gb));
	CHECK_INT(rd_string(&r, &p, &n), 0);
	CHECK_INT(rd_string(&r, &p, &n), 0);
	CHECK_INT(rd_string(&r, &p, &n), 0);
	CHECK_INT(n, 65);
	memcpy(q, p, sizeof(q));
	/* Curve id that is not the key type's. */
	buf_reset(&b);
	CHECK_INT(buf_put_cstring(&b, "ecdsa-sha2-nistp256"), 0);
	CHECK_INT(buf_put_cstring(&b, "nistp384"), 0);
	CHECK_INT(buf_put_string(&b, q, sizeof(q)), 0);
	CHECK_INT(blob_key(&b, &k), ERR_FORMAT);
	/* A point off the curve. */
	q[64] ^= 1;
	buf_reset(&b);
	CHECK_INT(buf_put_cstring(&b, "ecdsa-sha2-nistp256"), 0);
	CHECK_INT(buf_put_cstring(&b, "nistp256"), 0);
	CHECK_INT(buf_put_string(&b, q, sizeof(q)), 0);
	CHECK_INT(blob_key(&b, &k), ERR_FORMAT);
	q[64] ^= 1;
	/* Compressed form (0x02/0x03 || x) is not what RFC 5656 sends. */
	q[0] = 0x02 | (q[64] & 1);
	buf_reset(&b);
	CHECK_INT(buf_put_cstring(&b, "ecdsa-sha2-nistp256"), 0);
	CHECK_INT(buf_put_cstring(&b, "nistp256"), 0);
	CHECK_INT(buf_put_string(&b, q, 33), 0);
	CHECK_INT(blob_key(&b, &k), ERR_FORMAT);
	q[0] = 0x04;
	/* Trailing byte after a good blob. */
	buf_reset(&b);
	CHECK_INT(buf_put(&b, buf_ptr(&gb), buf_len(&gb)), 0);
	CHECK_INT(buf_put_u8(&b, 0), 0);
	CHECK_INT(blob_key(&b, &k), ERR_FORMAT);
	/* ECDSA signature blobs: r = 0, trailing bytes, negative s. */
	{
		static const uint8_t msg[] = "m";
		struct buf sig, inner;

		buf_init(&sig);
		buf_init(&inner);
		CHECK_INT(buf_put_mpint_bytes(&inner, NULL, 0), 0);
		CHECK_INT(buf_put_mpint_bytes(&inner, (const uint8_t *)"\x01", 1), 0);
		CHECK_INT(buf_put_cstring(&sig, "ecdsa-sha2-nistp256"), 0);
		CHECK_INT(buf_put_stringb(&sig, &inner), 0);
		CHECK_INT(key_verify(good, NULL, buf_ptr(&sig), buf_len(&sig), msg, 1),
			  ERR_SIGNATURE);
		buf_reset(&sig);
		buf_reset(&inner);
		CHECK_INT(buf_put_mpint_bytes(&inner, (const uint8_t *)"\x01", 1), 0);
		CHECK_INT(buf_put_string(&inner, (const uint8_t *)"\x80", 1), 0);
		CHECK_INT(buf_put_cstring(&sig, "ecdsa-sha2-nistp256"), 0);
		CHECK_INT(buf_put_stringb(&sig, &inner), 0);
		CHECK_INT(key_verify(good, NULL, buf_ptr(&sig), buf_len(&sig), msg, 1),
			  ERR_SIGNATURE);
		buf_free(&sig);
		buf_free(&inner);
	}
out:
	CHECK(k == NULL);
	key_free(good);
	free(pub_path);
	buf_free(&b);
	buf_free(&gb);
}

int main(int argc, char **argv)
{
	if (tk_args(argc, argv, &data_dir, &keygen) != 0)
		return 2;
	if (mkdtemp(tmp_dir) == NULL) {
		perror("mkdtemp");
		return 2;
	}
	test_lists();
	test_files();
	test_generate();
	test_bad_blobs();
	{
		char *cmd = tk_run("rm -rf '%s'", tmp_dir);

		free(cmd);
	}
	CHECK_DONE();
}
