/*
 * The OpenSSH private key file format (OpenSSH PROTOCOL.key):
 *   "openssh-key-v1\0" string ciphername string kdfname string kdfoptions
 *   uint32 nkeys string publickey... string encrypted-section
 * section = uint32 check1 uint32 check2, per key: string keytype, the
 * type's private fields, string comment; then padding 1, 2, 3, ... up to
 * the cipher block size (8 for "none"). Encrypted sections are decrypted by
 * keyfile_crypt.c, PEM / PKCS#8 files parsed by keyfile_pem.c; we write only
 * unencrypted OpenSSH files.
 */
#include "crypto/key_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/crypto.h"
#include "util/err.h"
#include "util/mem.h"
#include "wire/base64.h"

#define KF_BEGIN "-----BEGIN OPENSSH PRIVATE KEY-----"
#define KF_END "-----END OPENSSH PRIVATE KEY-----"
#define KF_MAGIC "openssh-key-v1" /* followed by its NUL */
#define KF_MAGIC_LEN 15
#define KF_BLOCK 8     /* block size of cipher "none" */
#define KF_NAME_MAX 64
#define KF_LINE 70     /* base64 columns, as ssh-keygen writes */
#define KF_FILE_MAX (1024u * 1024)

int key_read_file(const char *path, size_t max, struct buf *out)
{
	struct buf b;
	int fd, r = 0;

	buf_init(&b);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return errno == ENOENT ? ERR_NOT_FOUND : ERR_SYSTEM;
	for (;;) {
		uint8_t *p;
		ssize_t got;

		if (buf_len(&b) >= max) {
			r = ERR_TOO_LARGE;
			break;
		}
		if ((r = buf_reserve(&b, 4096, &p)) != 0)
			break;
		do
			got = read(fd, p, 4096);
		while (got < 0 && errno == EINTR);
		buf_consume_end(&b, got > 0 ? 4096 - (size_t)got : 4096);
		if (got < 0)
			r = ERR_SYSTEM;
		if (got <= 0)
			break;
	}
	close(fd);
	if (r == 0 && (r = buf_put_u8(&b, 0)) == 0) {
		buf_consume_end(&b, 1); /* keep the NUL after the data */
		*out = b;
		return 0;
	}
	buf_free(&b);
	return r;
}

/* Find needle in the n bytes at hay. */
static const char *kf_find(const char *hay, size_t n, const char *needle)
{
	size_t nl = strlen(needle);

	for (size_t i = 0; nl <= n && i <= n - nl; i++)
		if (memcmp(hay + i, needle, nl) == 0)
			return hay + i;
	return NULL;
}

/* The base64 body between the armour lines, decoded. */
static int kf_unarmour(const char *text, size_t n, struct buf *out)
{
	const char *p = text, *end = text + n, *body, *tail;

	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	if ((size_t)(end - p) < strlen(KF_BEGIN) || memcmp(p, KF_BEGIN, strlen(KF_BEGIN)) != 0)
		return ERR_FORMAT;
	body = p + strlen(KF_BEGIN);
	if ((tail = kf_find(body, (size_t)(end - body), KF_END)) == NULL)
		return ERR_FORMAT;
	for (p = tail + strlen(KF_END); p < end; p++)
		if (*p != ' ' && *p != '\t' && *p != '\r' && *p != '\n' && *p != '\0')
			return ERR_FORMAT;
	return base64_decode(out, body, (size_t)(tail - body));
}

/*
 * Parse the (decrypted) private section; pub is the outer public key blob,
 * block the cipher's block size, encrypted whether a passphrase was used.
 */
static int kf_parse_section(const uint8_t *sec, size_t n, size_t block, int encrypted,
			    const uint8_t *pub, size_t pub_len, struct key **out, char **comment)
{
	const struct key_impl *impl;
	const uint8_t *type, *pad;
	size_t type_len, pad_len;
	uint32_t check1, check2;
	EVP_PKEY *pkey = NULL;
	struct key *k = NULL, *outer = NULL;
	char *cmt = NULL;
	struct rd r;
	int e;

	if (n % block != 0)
		return ERR_FORMAT;
	rd_init(&r, sec, n);
	if ((e = rd_u32(&r, &check1)) != 0 || (e = rd_u32(&r, &check2)) != 0)
		return encrypted ? ERR_PASSPHRASE : e;
	/* After decryption a mismatch means a wrong passphrase; without, corruption. */
	if (check1 != check2)
		return encrypted ? ERR_PASSPHRASE : ERR_FORMAT;
	if ((e = rd_string(&r, &type, &type_len)) != 0)
		return e;
	if ((impl = key_impl_by_name((const char *)type, type_len)) == NULL)
		return ERR_KEY_TYPE;
	if ((e = impl->priv_read(&r, &pkey)) != 0)
		return e;
	if ((e = key_wrap(impl, pkey, 1, &k)) != 0)
		return e;
	if ((e = rd_cstring(&r, &cmt)) != 0)
		goto out;
	/* Deterministic padding 1, 2, 3, ... shorter than a block. */
	pad_len = rd_left(&r);
	if (pad_len >= block || (e = rd_bytes(&r, pad_len, &pad)) != 0) {
		e = ERR_FORMAT;
		goto out;
	}
	for (size_t i = 0; i < pad_len; i++)
		if (pad[i] != (uint8_t)(i + 1)) {
			e = ERR_FORMAT;
			goto out;
		}
	if ((e = rd_end(&r)) != 0)
		goto out;
	/* The clear public key must be the private key's public half. */
	if ((e = key_from_blob(pub, pub_len, &outer)) != 0)
		goto out;
	if (!key_equal(outer, k)) {
		e = ERR_FORMAT;
		goto out;
	}
	if (comment != NULL) {
		*comment = cmt;
		cmt = NULL;
	}
	*out = k;
	k = NULL;
out:
	free(cmt);
	key_free(outer);
	key_free(k);
	return e;
}

/* A short name string (cipher, KDF) copied into name. */
static int kf_read_name(struct rd *r, char name[KF_NAME_MAX])
{
	const uint8_t *p;
	size_t n;
	int e;

	if ((e = rd_string(r, &p, &n)) != 0)
		return e;
	if (n >= KF_NAME_MAX || memchr(p, '\0', n) != NULL)
		return ERR_FORMAT;
	memcpy(name, p, n);
	name[n] = '\0';
	return 0;
}

static int kf_parse_openssh(const char *text, size_t n, const char *passphrase,
			    struct key **out, char **comment)
{
	const uint8_t *magic, *pub, *sec, *kdfopts, *tag = NULL;
	size_t pub_len, sec_len, kdfopts_len, block, tag_len;
	char cipher[KF_NAME_MAX], kdf[KF_NAME_MAX];
	int encrypted, e;
	uint32_t nkeys;
	struct buf raw, plain;
	struct rd r;

	buf_init(&raw);
	buf_init(&plain);
	if ((e = kf_unarmour(text, n, &raw)) != 0)
		goto out;
	rd_init(&r, buf_ptr(&raw), buf_len(&raw));
	if ((e = rd_bytes(&r, KF_MAGIC_LEN, &magic)) != 0)
		goto out;
	if (memcmp(magic, KF_MAGIC, KF_MAGIC_LEN) != 0) {
		e = ERR_FORMAT;
		goto out;
	}
	if ((e = kf_read_name(&r, cipher)) != 0 || (e = kf_read_name(&r, kdf)) != 0 ||
	    (e = rd_string(&r, &kdfopts, &kdfopts_len)) != 0 ||
	    (e = rd_u32(&r, &nkeys)) != 0)
		goto out;
	if ((e = kf_cipher_sizes(cipher, &block, &tag_len)) != 0)
		goto out;
	encrypted = strcmp(cipher, "none") != 0;
	/* "none" goes with kdf "none" and no options; a cipher needs a KDF. */
	if (encrypted == (strcmp(kdf, "none") == 0) || (!encrypted && kdfopts_len != 0)) {
		e = ERR_FORMAT;
		goto out;
	}
	/* ssh-keygen only ever writes one key per file. */
	if (nkeys != 1) {
		e = ERR_UNSUPPORTED;
		goto out;
	}
	if ((e = rd_string(&r, &pub, &pub_len)) != 0 ||
	    (e = rd_string(&r, &sec, &sec_len)) != 0 ||
	    (tag_len > 0 && (e = rd_bytes(&r, tag_len, &tag)) != 0) ||
	    (e = rd_end(&r)) != 0)
		goto out;
	if (encrypted) {
		if ((e = kf_decrypt(cipher, kdf, kdfopts, kdfopts_len, passphrase, sec, sec_len,
				    tag, &plain)) != 0)
			goto out;
		sec = buf_ptr(&plain);
		sec_len = buf_len(&plain);
	}
	e = kf_parse_section(sec, sec_len, block, encrypted, pub, pub_len, out, comment);
out:
	buf_free(&raw);
	buf_free(&plain);
	return e;
}

int key_parse_private_pass(const char *text, size_t n, const char *passphrase, struct key **out,
			   char **comment)
{
	char *cmt = NULL;
	int r;

	if (kf_find(text, n, KF_BEGIN) != NULL)
		return kf_parse_openssh(text, n, passphrase, out, comment);
	/* PEM / PKCS#8 files carry no comment. */
	if (comment != NULL && (cmt = strdup("")) == NULL)
		return ERR_ALLOC;
	if ((r = kf_parse_pem(text, n, passphrase, out)) != 0) {
		free(cmt);
		return r;
	}
	if (comment != NULL)
		*comment = cmt;
	return 0;
}

int key_parse_private(const char *text, size_t n, struct key **out, char **comment)
{
	return key_parse_private_pass(text, n, NULL, out, comment);
}

int key_load_private_pass(const char *path, const char *passphrase, struct key **out,
			  char **comment)
{
	struct buf file;
	int r;

	buf_init(&file);
	if ((r = key_read_file(path, KF_FILE_MAX, &file)) == 0)
		r = key_parse_private_pass((const char *)buf_ptr(&file), buf_len(&file),
					   passphrase, out, comment);
	buf_free(&file);
	return r;
}

int key_load_private(const char *path, struct key **out, char **comment)
{
	return key_load_private_pass(path, NULL, out, comment);
}

/* The whole armoured file text for k. */
static int kf_serialise(const struct key *k, const char *comment, struct buf *text)
{
	struct buf sec, raw, b64, blob;
	uint32_t check;
	int r;

	buf_init(&blob);
	buf_init(&sec);
	buf_init(&raw);
	buf_init(&b64);
	if ((r = crypto_random(&check, sizeof(check))) != 0)
		goto out;
	if ((r = buf_put_u32(&sec, check)) != 0 || (r = buf_put_u32(&sec, check)) != 0 ||
	    (r = buf_put_cstring(&sec, k->impl->name)) != 0 ||
	    (r = k->impl->priv_write(k->pkey, &sec)) != 0 ||
	    (r = buf_put_cstring(&sec, comment != NULL ? comment : "")) != 0)
		goto out;
	for (uint8_t i = 1; buf_len(&sec) % KF_BLOCK != 0; i++)
		if ((r = buf_put_u8(&sec, i)) != 0)
			goto out;
	if ((r = buf_put(&raw, KF_MAGIC, KF_MAGIC_LEN)) != 0 ||
	    (r = buf_put_cstring(&raw, "none")) != 0 ||
	    (r = buf_put_cstring(&raw, "none")) != 0 ||
	    (r = buf_put_string(&raw, NULL, 0)) != 0 ||
	    (r = buf_put_u32(&raw, 1)) != 0)
		goto out;
	if ((r = key_to_blob(k, &blob)) != 0 || (r = buf_put_stringb(&raw, &blob)) != 0)
		goto out;
	if ((r = buf_put_stringb(&raw, &sec)) != 0)
		goto out;
	if ((r = base64_encode(&b64, buf_ptr(&raw), buf_len(&raw), 1)) != 0)
		goto out;
	if ((r = buf_put(text, KF_BEGIN "\n", strlen(KF_BEGIN) + 1)) != 0)
		goto out;
	for (size_t off = 0; off < buf_len(&b64); off += KF_LINE) {
		size_t chunk = buf_len(&b64) - off < KF_LINE ? buf_len(&b64) - off : KF_LINE;

		if ((r = buf_put(text, buf_ptr(&b64) + off, chunk)) != 0 ||
		    (r = buf_put_u8(text, '\n')) != 0)
			goto out;
	}
	r = buf_put(text, KF_END "\n", strlen(KF_END) + 1);
out:
	buf_free(&blob);
	buf_free(&sec);
	buf_free(&raw);
	buf_free(&b64);
	return r;
}

static int kf_write_file(const char *path, mode_t mode, const struct buf *data)
{
	const uint8_t *p = buf_ptr(data);
	size_t left = buf_len(data);
	int fd, r = 0;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)) < 0)
		return ERR_SYSTEM;
	/* An existing file keeps its old mode through O_CREAT; force ours. */
	if (fchmod(fd, mode) != 0)
		r = ERR_SYSTEM;
	while (r == 0 && left > 0) {
		ssize_t w = write(fd, p, left);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			r = ERR_SYSTEM;
			break;
		}
		p += w;
		left -= (size_t)w;
	}
	if (close(fd) != 0 && r == 0)
		r = ERR_SYSTEM;
	return r;
}

int key_save_private(const struct key *k, const char *path, const char *comment)
{
	struct buf text, pub;
	char *pub_path = NULL;
	size_t plen;
	int r;

	if (!k->has_private)
		return ERR_INVALID_ARG;
	if (comment != NULL && strpbrk(comment, "\r\n") != NULL)
		return ERR_INVALID_ARG;
	buf_init(&text);
	buf_init(&pub);
	if (mem_add_size(strlen(path), 5, &plen) != 0 || (pub_path = malloc(plen)) == NULL) {
		r = ERR_ALLOC;
		goto out;
	}
	memcpy(pub_path, path, plen - 5);
	memcpy(pub_path + plen - 5, ".pub", 5);
	if ((r = kf_serialise(k, comment, &text)) != 0)
		goto out;
	if ((r = key_format_public(k, &pub)) != 0)
		goto out;
	if (comment != NULL && comment[0] != '\0' &&
	    ((r = buf_put_u8(&pub, ' ')) != 0 || (r = buf_put(&pub, comment, strlen(comment))) != 0))
		goto out;
	if ((r = buf_put_u8(&pub, '\n')) != 0)
		goto out;
	if ((r = kf_write_file(path, 0600, &text)) != 0)
		goto out;
	r = kf_write_file(pub_path, 0644, &pub);
out:
	free(pub_path);
	buf_free(&text);
	buf_free(&pub);
	return r;
}
