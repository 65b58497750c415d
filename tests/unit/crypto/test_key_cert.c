/*
 * OpenSSH certificates (PROTOCOL.certkeys) with ssh-keygen as the oracle:
 * certificates made by `ssh-keygen -s` for every key type we implement, as
 * user and host certificates, signed by CAs of every type; parse, CA
 * signature, byte-exact round trip, tampering, validity, principals, type,
 * critical options and extensions, signing with an attached certificate.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../check.h"
#include "crypto/key.h"
#include "test_key_util.h"
#include "util/err.h"
#include "wire/base64.h"
#include "wire/buf.h"

static const char *keygen;
static char dir[] = "/tmp/burrow-cert-XXXXXX";

/* key_cert_check refuses, with OpenSSH's reason. */
static void check_refused(const struct key *cert, int type, const char *principal, uint64_t now,
			  const char *reason)
{
	const char *why = NULL;
	int r = key_cert_check(cert, type, principal, now, &why);

	CHECK_INT(r, ERR_PERMISSION);
	CHECK(why != NULL && strcmp(why, reason) == 0);
	if (r != ERR_PERMISSION || why == NULL || strcmp(why, reason) != 0)
		fprintf(stderr, "  for principal %s at %llu: got %d [%s], want [%s]\n", principal,
			(unsigned long long)now, r, why != NULL ? why : "(null)", reason);
}

static void path_of(char *out, size_t n, const char *name)
{
	snprintf(out, n, "%s/%s", dir, name);
}

/* ssh-keygen -t type into dir/name (once). */
static int make_key(const char *name, const char *type, const char *bits)
{
	char p[512];

	path_of(p, sizeof(p), name);
	if (access(p, F_OK) == 0)
		return 0;
	return tk_sh("'%s' -q -t %s %s -N '' -C '' -f '%s' </dev/null", keygen, type, bits, p);
}

/* ssh-keygen -s ca ... on dir/user.pub; the certificate goes to dir/user-cert.pub. */
static int sign_cert(const char *ca, const char *user, const char *opts)
{
	char pca[512], pu[512];

	path_of(pca, sizeof(pca), ca);
	path_of(pu, sizeof(pu), user);
	return tk_sh("'%s' -q -s '%s' %s '%s.pub' </dev/null 2>/dev/null", keygen, pca, opts, pu);
}

static struct key *load_pub(const char *name)
{
	char p[512];
	struct key *k = NULL;

	path_of(p, sizeof(p), name);
	if (key_load_public(p, &k, NULL) != 0)
		return NULL;
	return k;
}

/* The decoded base64 blob of a .pub file's first line. */
static int file_blob(const char *name, struct buf *out)
{
	char p[512], line[16384];
	FILE *f;
	char *b64, *end;

	path_of(p, sizeof(p), name);
	if ((f = fopen(p, "r")) == NULL)
		return -1;
	if (fgets(line, sizeof(line), f) == NULL) {
		fclose(f);
		return -1;
	}
	fclose(f);
	if ((b64 = strchr(line, ' ')) == NULL)
		return -1;
	b64++;
	end = b64 + strcspn(b64, " \n");
	return base64_decode(out, b64, (size_t)(end - b64));
}

#define T_AFTER 0x5E0BE100ull  /* 2020-01-01T00:00:00Z */
#define T_BEFORE 0x7FFFFFFFull /* 2038-01-19T03:14:07Z */
#define T_NOW 0x60000000ull

struct ktype {
	const char *plain;  /* key type name */
	const char *cert;   /* certificate name */
	const char *kgtype; /* ssh-keygen -t */
	const char *bits;
};

static const struct ktype ktypes[] = {
	{ "ssh-ed25519", "ssh-ed25519-cert-v01@openssh.com", "ed25519", "" },
	{ "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp256-cert-v01@openssh.com", "ecdsa", "-b 256" },
	{ "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp384-cert-v01@openssh.com", "ecdsa", "-b 384" },
	{ "ecdsa-sha2-nistp521", "ecdsa-sha2-nistp521-cert-v01@openssh.com", "ecdsa", "-b 521" },
	{ "ssh-rsa", "ssh-rsa-cert-v01@openssh.com", "rsa", "-b 2048" },
};

static int supported(const struct ktype *t)
{
	return key_type_from_name(t->plain) != KEY_UNKNOWN;
}

/* Round trip, CA, fields and checks for one certified key type and one CA type. */
static void test_user_cert(const struct ktype *kt, const struct ktype *ct)
{
	char uname[64], caname[64], certname[80], privpath[512];
	struct key *cert = NULL, *ca = NULL, *plain = NULL, *priv = NULL, *copy = NULL;
	const struct key_cert_info *ci;
	char fp1[KEY_FP_MAX], fp2[KEY_FP_MAX];
	const char *why = NULL;
	struct buf want, got, sig;

	buf_init(&want);
	buf_init(&got);
	buf_init(&sig);
	snprintf(uname, sizeof(uname), "user_%s_%s", kt->kgtype, kt->bits[0] ? kt->bits + 3 : "");
	snprintf(caname, sizeof(caname), "ca_%s_%s", ct->kgtype, ct->bits[0] ? ct->bits + 3 : "");
	snprintf(certname, sizeof(certname), "%s-cert.pub", uname);
	CHECK(make_key(uname, kt->kgtype, kt->bits) == 0);
	CHECK(make_key(caname, ct->kgtype, ct->bits) == 0);
	CHECK(sign_cert(caname, uname, "-I test-id -n alice,bob -V 0x5E0BE100:0x7FFFFFFF -z 42") == 0);
	cert = load_pub(certname);
	CHECK(cert != NULL);
	if (cert == NULL) {
		fprintf(stderr, "cannot load %s (CA %s)\n", certname, caname);
		goto out;
	}
	CHECK(key_is_cert(cert));
	CHECK_STR(key_type_name(cert), kt->cert);
	CHECK_STR(key_type_name(cert), key_type_name(cert));
	CHECK_INT(key_type(cert), key_type_from_name(kt->plain));
	/* Byte for byte what ssh-keygen wrote. */
	CHECK(file_blob(certname, &want) == 0);
	CHECK(key_to_blob(cert, &got) == 0);
	CHECK_INT(buf_len(&got), buf_len(&want));
	CHECK(buf_len(&got) == buf_len(&want) && memcmp(buf_ptr(&got), buf_ptr(&want), buf_len(&got)) == 0);
	/* The CA is the one that signed. */
	{
		char caf[80];

		snprintf(caf, sizeof(caf), "%s.pub", caname);
		ca = load_pub(caf);
	}
	CHECK(ca != NULL && key_equal(key_cert_signer(cert), ca));
	ci = key_cert_info(cert);
	CHECK(ci != NULL);
	if (ci != NULL) {
		CHECK_INT(ci->type, KEY_CERT_USER);
		CHECK_INT(ci->serial, 42);
		CHECK_STR(ci->key_id, "test-id");
		CHECK_INT(ci->n_principals, 2);
		if (ci->n_principals == 2) {
			CHECK_STR(ci->principals[0], "alice");
			CHECK_STR(ci->principals[1], "bob");
		}
		CHECK(ci->valid_after == T_AFTER);
		CHECK(ci->valid_before == T_BEFORE);
		CHECK(ci->force_command == NULL && ci->source_address == NULL);
		CHECK(ci->unknown_critical == NULL);
		/* ssh-keygen's default extensions */
		CHECK_INT(ci->ext, KEY_CERT_EXT_X11 | KEY_CERT_EXT_AGENT | KEY_CERT_EXT_PORT |
					   KEY_CERT_EXT_PTY | KEY_CERT_EXT_USER_RC);
		/* ssh-keygen 9.2 signs with rsa-sha2-512 for RSA CAs */
		CHECK_STR(ci->sig_alg, strcmp(ct->plain, "ssh-rsa") == 0 ? "rsa-sha2-512" : ct->plain);
	}
	/* Validity, principal, type, with OpenSSH's reasons. */
	CHECK_INT(key_cert_check(cert, KEY_CERT_USER, "alice", T_NOW, &why), 0);
	CHECK_INT(key_cert_check(cert, KEY_CERT_USER, "bob", T_AFTER, &why), 0);
	check_refused(cert, KEY_CERT_USER, "carol", T_NOW,
		      "Certificate invalid: name is not a listed principal");
	check_refused(cert, KEY_CERT_USER, "alice", T_BEFORE, "Certificate invalid: expired");
	check_refused(cert, KEY_CERT_USER, "alice", T_AFTER - 1,
		      "Certificate invalid: not yet valid");
	check_refused(cert, KEY_CERT_HOST, "alice", T_NOW,
		      "Certificate invalid: not a host certificate");
	/* Fingerprint is the certified key's, as ssh-keygen -l prints it. */
	{
		char pf[80];

		snprintf(pf, sizeof(pf), "%s.pub", uname);
		plain = load_pub(pf);
	}
	CHECK(plain != NULL);
	if (plain != NULL) {
		CHECK(key_fingerprint(cert, fp1, sizeof(fp1)) == 0);
		CHECK(key_fingerprint(plain, fp2, sizeof(fp2)) == 0);
		CHECK_STR(fp1, fp2);
		CHECK(!key_equal(cert, plain));
		CHECK(!key_is_cert(plain) && key_cert_signer(plain) == NULL);
	}
	CHECK(key_public_copy(cert, &copy) == 0);
	CHECK(copy != NULL && key_equal(copy, cert) && key_is_cert(copy));
	key_free(copy);
	copy = NULL;
	/* Private key + certificate: signs as the certificate with the plain algorithm. */
	path_of(privpath, sizeof(privpath), uname);
	CHECK(key_load_private(privpath, &priv, NULL) == 0);
	if (priv != NULL) {
		const char *alg = strchr(key_sig_algs(cert), ',') ? "rsa-sha2-256-cert-v01@openssh.com" :
								    key_sig_algs(cert);
		char plain_alg[64];
		static const uint8_t msg[] = "data to sign";

		CHECK(key_cert_attach(ca, cert) == ERR_INVALID_ARG); /* wrong key */
		CHECK_INT(key_cert_attach(priv, cert), 0);
		CHECK(key_is_cert(priv) && key_has_private(priv) && key_equal(priv, cert));
		CHECK_STR(key_type_name(priv), kt->cert);
		CHECK(key_sign(priv, alg, msg, sizeof(msg), &sig) == 0);
		/* string alg: the plain name */
		snprintf(plain_alg, sizeof(plain_alg), "%.*s", (int)(strlen(alg) - 21), alg);
		CHECK(buf_len(&sig) > 4 + strlen(plain_alg) &&
		      memcmp(buf_ptr(&sig) + 4, plain_alg, strlen(plain_alg)) == 0);
		CHECK_INT(key_verify(cert, alg, buf_ptr(&sig), buf_len(&sig), msg, sizeof(msg)), 0);
		CHECK_INT(key_verify(plain, plain_alg, buf_ptr(&sig), buf_len(&sig), msg, sizeof(msg)), 0);
		CHECK(key_verify(cert, alg, buf_ptr(&sig), buf_len(&sig), msg, sizeof(msg) - 1) ==
		      ERR_SIGNATURE);
		CHECK(key_dup(priv, &copy) == 0 && key_has_private(copy) && key_equal(copy, cert));
		key_free(copy);
		copy = NULL;
		CHECK(key_cert_plain(priv, &copy) == 0 && !key_is_cert(copy) && key_has_private(copy) &&
		      key_equal(copy, plain));
	}
out:
	key_free(cert);
	key_free(ca);
	key_free(plain);
	key_free(priv);
	key_free(copy);
	buf_free(&want);
	buf_free(&got);
	buf_free(&sig);
}

/* A host certificate with wildcard principals; one without principals. */
static void test_host_cert(void)
{
	struct key *cert;
	const char *why = NULL;

	CHECK(make_key("host", "ed25519", "") == 0);
	CHECK(make_key("ca_ed25519_", "ed25519", "") == 0);
	CHECK(sign_cert("ca_ed25519_", "host",
			"-h -I host-id -n host.example.com,*.example.org -V 0x5E0BE100:0x7FFFFFFF") == 0);
	cert = load_pub("host-cert.pub");
	CHECK(cert != NULL);
	if (cert != NULL) {
		CHECK_INT(key_cert_info(cert)->type, KEY_CERT_HOST);
		CHECK_INT(key_cert_check(cert, KEY_CERT_HOST, "host.example.com", T_NOW, &why), 0);
		CHECK_INT(key_cert_check(cert, KEY_CERT_HOST, "a.example.org", T_NOW, &why), 0);
		check_refused(cert, KEY_CERT_HOST, "example.com", T_NOW,
			      "Certificate invalid: name is not a listed principal");
		check_refused(cert, KEY_CERT_USER, "host.example.com", T_NOW,
			      "Certificate invalid: not a user certificate");
		check_refused(cert, KEY_CERT_HOST, "host.example.com", T_BEFORE + 1,
			      "Certificate invalid: expired");
	}
	key_free(cert);
	/* No principals: a host certificate is good for any name, a user certificate for none. */
	CHECK(sign_cert("ca_ed25519_", "host", "-h -I any") == 0);
	cert = load_pub("host-cert.pub");
	CHECK(cert != NULL);
	if (cert != NULL) {
		CHECK_INT(key_cert_info(cert)->n_principals, 0);
		CHECK(key_cert_info(cert)->valid_after == 0 && key_cert_info(cert)->valid_before == UINT64_MAX);
		CHECK_INT(key_cert_check(cert, KEY_CERT_HOST, "anything", T_NOW, &why), 0);
	}
	key_free(cert);
	CHECK(sign_cert("ca_ed25519_", "host", "-I nobody") == 0);
	cert = load_pub("host-cert.pub");
	CHECK(cert != NULL);
	if (cert != NULL) {
		check_refused(cert, KEY_CERT_USER, "alice", T_NOW,
			      "Certificate lacks principal list");
	}
	key_free(cert);
}

static void test_options(void)
{
	const struct key_cert_info *ci;
	struct key *cert;

	CHECK(make_key("opt", "ed25519", "") == 0);
	CHECK(sign_cert("ca_ed25519_", "opt",
			"-I o -n alice -O force-command=/bin/true -O source-address=127.0.0.1/32,::1 "
			"-O no-port-forwarding -O no-pty") == 0);
	cert = load_pub("opt-cert.pub");
	CHECK(cert != NULL && (ci = key_cert_info(cert)) != NULL);
	if (cert != NULL && ci != NULL) {
		CHECK(ci->force_command != NULL && strcmp(ci->force_command, "/bin/true") == 0);
		CHECK(ci->source_address != NULL &&
		      strcmp(ci->source_address, "127.0.0.1/32,::1") == 0);
		CHECK(ci->unknown_critical == NULL);
		CHECK_INT(ci->ext, KEY_CERT_EXT_X11 | KEY_CERT_EXT_AGENT | KEY_CERT_EXT_USER_RC);
	}
	key_free(cert);
	CHECK(sign_cert("ca_ed25519_", "opt",
			"-I o -n alice -O clear -O permit-port-forwarding "
			"-O critical:zz-unknown@example.com=x") == 0);
	cert = load_pub("opt-cert.pub");
	CHECK(cert != NULL && (ci = key_cert_info(cert)) != NULL);
	if (cert != NULL && ci != NULL) {
		CHECK(ci->unknown_critical != NULL &&
		      strcmp(ci->unknown_critical, "zz-unknown@example.com") == 0);
		CHECK_INT(ci->ext, KEY_CERT_EXT_PORT);
	}
	key_free(cert);
}

/* Any changed byte of the signed part or of the signature: refused. */
static void test_tamper(void)
{
	struct key *cert = NULL, *k = NULL;
	struct buf blob;
	size_t n;
	int refused = 0, tried = 0;

	buf_init(&blob);
	CHECK(make_key("tamper", "ed25519", "") == 0);
	CHECK(sign_cert("ca_ed25519_", "tamper", "-I tamper-id -n alice") == 0);
	CHECK(file_blob("tamper-cert.pub", &blob) == 0);
	n = buf_len(&blob);
	CHECK(key_from_blob(buf_ptr(&blob), n, &cert) == 0);
	key_free(cert);
	/* Every byte after the type name (flipping the name just changes the type). */
	for (size_t i = 4 + 32; i < n; i += 3) {
		uint8_t *p = buf_mutable_ptr(&blob);
		int r;

		p[i] ^= 0x01;
		r = key_from_blob(p, n, &k);
		tried++;
		if (r != 0)
			refused++;
		else
			key_free(k);
		p[i] ^= 0x01;
	}
	CHECK_INT(refused, tried);
	/* The key id lies right after the fixed fields: check the reason there. */
	{
		uint8_t *p = buf_mutable_ptr(&blob);
		uint8_t *id = memmem(p, n, "tamper-id", 9);

		CHECK(id != NULL);
		if (id != NULL) {
			id[0] = 'T';
			CHECK_INT(key_from_blob(p, n, &k), ERR_SIGNATURE);
			id[0] = 't';
		}
		/* The last byte belongs to the signature. */
		p[n - 1] ^= 0x80;
		CHECK_INT(key_from_blob(p, n, &k), ERR_SIGNATURE);
		p[n - 1] ^= 0x80;
		/* Trailing and missing bytes. */
		CHECK(key_from_blob(p, n - 1, &k) != 0);
		CHECK(buf_put_u8(&blob, 0) == 0);
		CHECK(key_from_blob(buf_ptr(&blob), n + 1, &k) != 0);
	}
	buf_free(&blob);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s ssh-keygen\n", argv[0]);
		return 2;
	}
	keygen = argv[1];
	CHECK(mkdtemp(dir) != NULL);
	for (size_t i = 0; i < sizeof(ktypes) / sizeof(ktypes[0]); i++) {
		if (!supported(&ktypes[i])) {
			fprintf(stderr, "note: %s not implemented, skipped\n", ktypes[i].plain);
			continue;
		}
		/* Each key type certified by an ed25519 CA, and signed as CA for an ed25519 key. */
		test_user_cert(&ktypes[i], &ktypes[0]);
		if (i != 0)
			test_user_cert(&ktypes[0], &ktypes[i]);
	}
	test_host_cert();
	test_options();
	test_tamper();
	tk_sh("rm -rf '%s'", dir);
	CHECK_DONE();
}
