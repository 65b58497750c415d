/* Algorithm list syntax: + - ^, patterns, checks; resolution against the crypto lists. */
#include <stdlib.h>
#include <string.h>

#include "../check.h"
#include "capture.h"
#include "config/alglist.h"
#include "crypto/crypto.h"
#include "crypto/key.h"
#include "util/err.h"

#define DEF "c1,c2,c3"
#define SUP "c0,c1,c2,c3,c4,x-9@example.com"

static void expect(const char *spec, const char *want)
{
	char *out = NULL;

	CHECK_INT(cfg_alg_assemble(spec, DEF, SUP, &out), 0);
	if (out != NULL && strcmp(out, want) != 0)
		fprintf(stderr, "for [%s]: got [%s] want [%s]\n", spec ? spec : "(null)", out, want);
	CHECK_STR(out, want);
	free(out);
}

static void test_assemble(void)
{
	char *out = NULL;

	expect(NULL, "c1,c2,c3");
	expect("", "c1,c2,c3");
	/* A plain list replaces the default, in the order given. */
	expect("c4,c0", "c4,c0");
	expect("c2,c2,c1", "c2,c1");
	/* Patterns select supported names in the supported order. */
	expect("c*", "c0,c1,c2,c3,c4");
	expect("x-?@*", "x-9@example.com");
	/* Names nothing supports vanish (the parse-time check refuses them). */
	expect("nope,c3", "c3");
	/* + appends, without repeating. */
	expect("+c4", "c1,c2,c3,c4");
	expect("+c4,c0,c1", "c1,c2,c3,c4,c0");
	expect("+c*", "c1,c2,c3,c0,c4");
	/* - removes default entries matching the patterns. */
	expect("-c2", "c1,c3");
	expect("-c1,c3", "c2");
	expect("-c?", "");
	expect("-*", "");
	expect("-c4", "c1,c2,c3");
	/* ^ puts the names first. */
	expect("^c3", "c3,c1,c2");
	expect("^c4,c2", "c4,c2,c1,c3");
	expect("^c*", "c0,c1,c2,c3,c4");
	/* Matching is case-sensitive, as in OpenSSH. */
	expect("C1", "");
	/* '!' is no part of this syntax. */
	CHECK_INT(cfg_alg_assemble("!c1", DEF, SUP, &out), ERR_FORMAT);
	CHECK(out == NULL);
	CHECK_INT(cfg_alg_assemble("+c1,!c2", DEF, SUP, &out), ERR_FORMAT);
	CHECK(out == NULL);
}

static void test_check(void)
{
	const char *bad = NULL;

	CHECK_INT(cfg_alg_check("c1", SUP, 0, NULL), 0);
	CHECK_INT(cfg_alg_check("c1,c4", SUP, 0, NULL), 0);
	CHECK_INT(cfg_alg_check("+c4", SUP, 0, NULL), 0);
	CHECK_INT(cfg_alg_check("^c0", SUP, 0, NULL), 0);
	/* A "-" list is never checked (OpenSSH only filters with it). */
	CHECK_INT(cfg_alg_check("-nothing,at*all", SUP, 0, NULL), 0);
	CHECK_INT(cfg_alg_check("c1,foo", SUP, 0, &bad), ERR_FORMAT);
	CHECK_STR(bad, "foo");
	CHECK_INT(cfg_alg_check("+foo", SUP, 0, &bad), ERR_FORMAT);
	CHECK_STR(bad, "foo");
	/* Without wildcards a pattern is just an unknown name. */
	CHECK_INT(cfg_alg_check("c*", SUP, 0, &bad), ERR_FORMAT);
	CHECK_STR(bad, "c*");
	CHECK_INT(cfg_alg_check("c*", SUP, 1, NULL), 0);
	CHECK_INT(cfg_alg_check("+x-?@example.com", SUP, 1, NULL), 0);
	/* A pattern must match something. */
	CHECK_INT(cfg_alg_check("foo*", SUP, 1, &bad), ERR_FORMAT);
	CHECK_STR(bad, "foo*");
	CHECK_INT(cfg_alg_check("!c1", SUP, 1, NULL), ERR_FORMAT);
	CHECK_INT(cfg_alg_check("+", SUP, 0, NULL), ERR_FORMAT);
	CHECK_INT(cfg_alg_check("c1,,c2", SUP, 0, NULL), ERR_FORMAT);
	/* Only exact names: a prefix or different case is not one. */
	CHECK_INT(cfg_alg_check("c", SUP, 0, NULL), ERR_FORMAT);
	CHECK_INT(cfg_alg_check("C1", SUP, 0, NULL), ERR_FORMAT);
}

/* Every name of a resolved list is supported by the crypto layer. */
static void check_names(const char *list, int (*ok)(const char *))
{
	char *dup = strdup(list), *save = NULL;

	CHECK(dup != NULL);
	for (char *n = strtok_r(dup, ",", &save); n != NULL; n = strtok_r(NULL, ",", &save))
		CHECK(ok(n));
	free(dup);
}

static int cipher_ok(const char *n) { return cipher_by_name(n) != NULL; }
static int kex_ok(const char *n) { return kex_alg_by_name(n) != NULL; }
static int mac_ok(const char *n) { return strstr(mac_supported_list(), n) != NULL; }
static int key_ok(const char *n) { return strstr(key_alg_supported_list(), n) != NULL; }

static void test_resolve(void)
{
	char *out = NULL;

	/* Defaults are the crypto layer's. */
	CHECK_INT(cfg_alg_resolve(CFG_ALG_CIPHER, NULL, &out), 0);
	CHECK_STR(out, cipher_default_list());
	check_names(out, cipher_ok);
	free(out);
	CHECK_INT(cfg_alg_resolve(CFG_ALG_MAC, NULL, &out), 0);
	CHECK_STR(out, mac_default_list());
	check_names(out, mac_ok);
	free(out);
	CHECK_INT(cfg_alg_resolve(CFG_ALG_KEX, NULL, &out), 0);
	CHECK_STR(out, kex_default_list());
	check_names(out, kex_ok);
	free(out);
	CHECK_INT(cfg_alg_resolve(CFG_ALG_KEY, NULL, &out), 0);
	CHECK_STR(out, key_alg_default_list());
	check_names(out, key_ok);
	free(out);
	/* CASignatureAlgorithms: the plain (non-certificate) default key algorithms. */
	CHECK_INT(cfg_alg_resolve(CFG_ALG_CASIG, NULL, &out), 0);
	CHECK(strstr(out, "-cert-") == NULL);
	CHECK(strstr(out, "ssh-ed25519") != NULL);
	free(out);

	CHECK_INT(cfg_alg_resolve(CFG_ALG_CIPHER, "^aes256-ctr", &out), 0);
	CHECK(strncmp(out, "aes256-ctr,", 11) == 0);
	CHECK(strstr(out + 11, "aes256-ctr") == NULL);
	free(out);
	CHECK_INT(cfg_alg_resolve(CFG_ALG_CIPHER, "-aes*", &out), 0);
	CHECK(strstr(out, "aes") == NULL);
	CHECK(strstr(out, "chacha20-poly1305@openssh.com") != NULL);
	free(out);
	CHECK_INT(cfg_alg_resolve(CFG_ALG_MAC, "-*", &out), 0);
	CHECK_STR(out, "");
	free(out);
	CHECK_INT(cfg_alg_resolve(CFG_ALG_MAC, "hmac-sha1", &out), 0);
	CHECK_STR(out, "hmac-sha1");
	free(out);
	/* ssh-rsa (SHA-1) is supported but not a default; + brings it in at the end. */
	CHECK(strstr(key_alg_default_list(), "ssh-rsa,") == NULL);
	CHECK_INT(cfg_alg_resolve(CFG_ALG_KEY, "+ssh-rsa", &out), 0);
	CHECK(strlen(out) > 8 && strcmp(out + strlen(out) - 8, ",ssh-rsa") == 0);
	free(out);
	CHECK_INT(cfg_alg_resolve(CFG_ALG_KEY, "ssh-ed*", &out), 0);
	CHECK(strncmp(out, "ssh-ed25519", 11) == 0);
	CHECK(strstr(out, "ecdsa") == NULL);
	free(out);
}

static void test_valid(void)
{
	CHECK(cfg_alg_valid(CFG_ALG_CIPHER, "aes128-ctr"));
	CHECK(cfg_alg_valid(CFG_ALG_CIPHER, "+aes128-ctr"));
	CHECK(!cfg_alg_valid(CFG_ALG_CIPHER, "-aes128-ctr"));
	CHECK(!cfg_alg_valid(CFG_ALG_CIPHER, "3des-cbc"));
	CHECK(cfg_alg_valid(CFG_ALG_MAC, "hmac-sha2-256-etm@openssh.com"));
	CHECK(!cfg_alg_valid(CFG_ALG_MAC, "umac-64@openssh.com,foo"));
	CHECK(cfg_alg_valid(CFG_ALG_KEX, "curve25519-sha256"));
	CHECK(!cfg_alg_valid(CFG_ALG_KEX, "+diffie*"));
	CHECK(cfg_alg_valid(CFG_ALG_KEY, "+ssh-rs?"));
	CHECK(cfg_alg_valid(CFG_ALG_CASIG, "ssh-ed25519"));
}

/* The keyword messages, as ssh and sshd print them. */
static void expect_kw(enum cfg_alg_kind k, const char *spec, int server, const char *want)
{
	const char *msg;
	int r;

	capture_start();
	r = cfg_alg_check_kw(k, spec, "command-line", 0, server);
	msg = capture_end();
	if (strcmp(msg, want) != 0)
		fprintf(stderr, "for [%s]: got [%s] want [%s]\n", spec, msg, want);
	CHECK_STR(msg, want);
	CHECK_INT(r, want[0] != '\0' ? ERR_FORMAT : 0);
}

static void test_messages(void)
{
	expect_kw(CFG_ALG_CIPHER, "aes128-ctr", 0, "");
	expect_kw(CFG_ALG_CIPHER, "-foo", 0, "");
	expect_kw(CFG_ALG_CIPHER, "foo", 0, "command-line line 0: Bad SSH2 cipher spec 'foo'.\n");
	expect_kw(CFG_ALG_CIPHER, "+aes*", 1,
		  "command-line line 0: Bad SSH2 cipher spec '+aes*'.\n");
	expect_kw(CFG_ALG_MAC, "foo", 0, "command-line line 0: Bad SSH2 MAC spec 'foo'.\n");
	expect_kw(CFG_ALG_MAC, "foo", 1, "command-line line 0: Bad SSH2 mac spec 'foo'.\n");
	expect_kw(CFG_ALG_KEX, "curve25519-sha256,foo", 0,
		  "Unsupported KEX algorithm \"foo\"\n"
		  "command-line line 0: Bad SSH2 KexAlgorithms 'curve25519-sha256,foo'.\n");
	expect_kw(CFG_ALG_KEY, "foo", 1, "command-line line 0: Bad key types 'foo'.\n");
	expect_kw(CFG_ALG_KEY, "foo*", 0, "command-line line 0: Bad key types 'foo*'.\n");
	expect_kw(CFG_ALG_CASIG, "bar", 0, "command-line line 0: Bad key types 'bar'.\n");
	expect_kw(CFG_ALG_KEY, "ssh-ed*", 0, "");
}

/* -Q output, one name per line. */
static void test_query(void)
{
	const char *out;
	int r;

	capture_start_fd(1);
	r = cfg_query("cipher");
	out = capture_end();
	CHECK_INT(r, 0);
	CHECK(strstr(out, "aes128-ctr\n") != NULL);
	CHECK(strstr(out, "chacha20-poly1305@openssh.com\n") != NULL);
	CHECK(strchr(out, ',') == NULL);

	capture_start_fd(1);
	r = cfg_query("Ciphers");
	CHECK_STR(capture_end(), out);
	CHECK_INT(r, 0);

	capture_start_fd(1);
	r = cfg_query("cipher-auth");
	out = capture_end();
	CHECK_INT(r, 0);
	CHECK(strstr(out, "aes256-gcm@openssh.com\n") != NULL);
	CHECK(strstr(out, "aes128-ctr") == NULL);

	capture_start_fd(1);
	r = cfg_query("mac");
	out = capture_end();
	CHECK_INT(r, 0);
	CHECK(strstr(out, "hmac-sha2-256\n") != NULL);
	CHECK(strstr(out, "hmac-sha2-512-etm@openssh.com\n") != NULL);

	capture_start_fd(1);
	r = cfg_query("kex");
	out = capture_end();
	CHECK_INT(r, 0);
	CHECK(strstr(out, "curve25519-sha256\n") != NULL);

	capture_start_fd(1);
	r = cfg_query("key-plain");
	out = capture_end();
	CHECK_INT(r, 0);
	CHECK(strstr(out, "ssh-ed25519\n") != NULL);
	CHECK(strstr(out, "rsa-sha2") == NULL);
	CHECK(strstr(out, "-cert-") == NULL);

	capture_start_fd(1);
	r = cfg_query("sig");
	out = capture_end();
	CHECK_INT(r, 0);
	CHECK(strstr(out, "rsa-sha2-512\n") != NULL);
	CHECK(strstr(out, "-cert-") == NULL);

	capture_start_fd(1);
	r = cfg_query("compression");
	out = capture_end();
	CHECK_INT(r, 0);
	CHECK_STR(out, "none\nzlib@openssh.com\nzlib\n");

	capture_start();
	r = cfg_query("foo");
	out = capture_end();
	CHECK_INT(r, ERR_NOT_FOUND);
	CHECK_STR(out, "Unsupported query \"foo\"\n");
}

int main(void)
{
	test_assemble();
	test_check();
	test_resolve();
	test_valid();
	test_messages();
	test_query();
	CHECK_DONE();
}
