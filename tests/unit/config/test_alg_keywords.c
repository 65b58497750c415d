/*
 * Issue 6 keywords on both sides: Ciphers/MACs/KexAlgorithms/HostKeyAlgorithms/
 * PubkeyAcceptedAlgorithms/CASignatureAlgorithms resolution, -c -m -A -a -C -Q,
 * IdentityAgent, ForwardAgent, CertificateFile, Compression, TrustedUserCAKeys,
 * HostCertificate, AllowAgentForwarding, Match overrides and burrowd -T lines.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../check.h"
#include "capture.h"
#include "parse_args.h"
#include "tmpfiles.h"
#include "config/alglist.h"
#include "config/client_config.h"
#include "config/server_config.h"
#include "crypto/crypto.h"
#include "crypto/key.h"
#include "util/err.h"

static int capply(struct client_config *c, const char *kv, const char **msg)
{
	int r;

	capture_start();
	r = cfg_client_apply(c, kv, "command-line");
	*msg = capture_end();
	return r;
}

static int sapply(struct server_config *c, const char *kv, const char **msg)
{
	int r;

	capture_start();
	r = scfg_apply(c, kv, "command-line", 0);
	*msg = capture_end();
	return r;
}

static char *resolved(enum cfg_alg_kind k, const char *spec)
{
	char *out = NULL;

	CHECK_INT(cfg_alg_resolve(k, spec, &out), 0);
	return out;
}

static void check_resolved(const char *got, enum cfg_alg_kind k, const char *spec)
{
	char *want = resolved(k, spec);

	CHECK_STR(got, want);
	free(want);
}

static void test_client_keywords(void)
{
	struct client_config c;
	const char *msg;

	setenv("HOME", "/home/tester", 1);
	cfg_client_init(&c);
	CHECK_INT(c.forward_agent, -1);
	CHECK_INT(capply(&c, "MACs hmac-sha2-256,hmac-sha1", &msg), 0);
	CHECK_STR(msg, "");
	CHECK_INT(capply(&c, "MACs hmac-sha2-512", &msg), 0); /* first wins */
	CHECK_INT(capply(&c, "Ciphers ^aes256-ctr", &msg), 0);
	CHECK_INT(capply(&c, "KexAlgorithms -ecdh-*", &msg), 0);
	CHECK_INT(capply(&c, "HostKeyAlgorithms +ssh-rsa", &msg), 0);
	CHECK_INT(capply(&c, "PubkeyAcceptedKeyTypes ssh-ed*", &msg), 0);
	CHECK_INT(capply(&c, "PubkeyAcceptedAlgorithms rsa-sha2-512", &msg), 0);
	CHECK_INT(capply(&c, "CASignatureAlgorithms ssh-ed25519", &msg), 0);
	CHECK_INT(capply(&c, "IdentityAgent ~/agent.sock", &msg), 0);
	CHECK_INT(capply(&c, "ForwardAgent yes", &msg), 0);
	CHECK_INT(capply(&c, "ForwardAgent no", &msg), 0);
	CHECK_INT(capply(&c, "CertificateFile ~/.ssh/id_ed25519-cert.pub", &msg), 0);
	CHECK_INT(capply(&c, "CertificateFile /c2", &msg), 0);
	CHECK_INT(capply(&c, "Compression yes", &msg), 0);
	CHECK_STR(c.macs, "hmac-sha2-256,hmac-sha1");
	CHECK_STR(c.pubkey_accepted_algorithms, "ssh-ed*");
	CHECK_INT(c.forward_agent, 1);
	CHECK_INT(c.compression, 1);
	CHECK_INT(c.n_certificate_files, 2);
	c.host = strdup("h");
	CHECK_INT(cfg_client_finish(&c), 0);
	/* After finish: resolved lists, ~ expanded. */
	CHECK_STR(c.macs, "hmac-sha2-256,hmac-sha1");
	check_resolved(c.ciphers, CFG_ALG_CIPHER, "^aes256-ctr");
	CHECK(strncmp(c.ciphers, "aes256-ctr,", 11) == 0);
	check_resolved(c.kex_algorithms, CFG_ALG_KEX, "-ecdh-*");
	CHECK(strstr(c.kex_algorithms, "ecdh-") == NULL);
	CHECK(strstr(c.kex_algorithms, "curve25519-sha256") != NULL);
	check_resolved(c.host_key_algorithms, CFG_ALG_KEY, "+ssh-rsa");
	CHECK_INT(c.host_key_algorithms_default, 0);
	CHECK(strstr(c.host_key_algorithms, ",ssh-rsa") != NULL);
	CHECK(strncmp(c.pubkey_accepted_algorithms, "ssh-ed25519", 11) == 0);
	CHECK_STR(c.ca_signature_algorithms, "ssh-ed25519");
	CHECK_STR(c.identity_agent, "/home/tester/agent.sock");
	CHECK_STR(c.certificate_files[0], "/home/tester/.ssh/id_ed25519-cert.pub");
	CHECK_STR(c.certificate_files[1], "/c2");
	cfg_client_free(&c);

	/* Defaults: every list resolved, never NULL; agent forwarding and compression off. */
	cfg_client_init(&c);
	c.host = strdup("h");
	CHECK_INT(cfg_client_finish(&c), 0);
	CHECK_STR(c.ciphers, cipher_default_list());
	CHECK_STR(c.macs, mac_default_list());
	CHECK_STR(c.kex_algorithms, kex_default_list());
	CHECK_STR(c.host_key_algorithms, key_alg_default_list());
	CHECK_INT(c.host_key_algorithms_default, 1);
	CHECK_STR(c.pubkey_accepted_algorithms, key_alg_default_list());
	check_resolved(c.ca_signature_algorithms, CFG_ALG_CASIG, NULL);
	CHECK(c.identity_agent == NULL);
	CHECK_INT(c.forward_agent, 0);
	CHECK_INT(c.compression, 0);
	CHECK_INT(c.n_certificate_files, 0);
	cfg_client_free(&c);

	/* Errors, worded as ssh's. */
	cfg_client_init(&c);
	CHECK_INT(capply(&c, "Ciphers foo", &msg), ERR_FORMAT);
	CHECK_STR(msg, "command-line line 0: Bad SSH2 cipher spec 'foo'.\n");
	CHECK_INT(capply(&c, "MACs +bar", &msg), ERR_FORMAT);
	CHECK_STR(msg, "command-line line 0: Bad SSH2 MAC spec '+bar'.\n");
	CHECK_INT(capply(&c, "KexAlgorithms foo", &msg), ERR_FORMAT);
	CHECK_STR(msg, "Unsupported KEX algorithm \"foo\"\n"
		  "command-line line 0: Bad SSH2 KexAlgorithms 'foo'.\n");
	CHECK_INT(capply(&c, "HostKeyAlgorithms foo*", &msg), ERR_FORMAT);
	CHECK_STR(msg, "command-line line 0: Bad key types 'foo*'.\n");
	CHECK_INT(capply(&c, "PubkeyAcceptedAlgorithms x", &msg), ERR_FORMAT);
	CHECK_STR(msg, "command-line line 0: Bad key types 'x'.\n");
	CHECK_INT(capply(&c, "Compression maybe", &msg), ERR_FORMAT);
	CHECK_STR(msg, "command-line line 0: unsupported option \"maybe\".\n");
	CHECK_INT(capply(&c, "ForwardAgent maybe", &msg), ERR_UNSUPPORTED);
	CHECK(c.ciphers == NULL && c.macs == NULL && c.compression == -1);
	cfg_client_free(&c);
}

static void test_client_flags(void)
{
	struct client_config c;
	const char *msg;

	/* -c replaces an earlier -o Ciphers; a later -o does not override it. */
	CHECK_INT(parse(&c, &msg, "burrow", "-o", "Ciphers=aes256-ctr", "-c", "aes128-ctr",
			"-o", "Ciphers=aes192-ctr", "h", NULL), 0);
	CHECK_STR(c.ciphers, "aes128-ctr");
	cfg_client_free(&c);
	CHECK_INT(parse(&c, &msg, "burrow", "-c", "+aes128-ctr", "h", NULL), 0);
	CHECK_STR(c.ciphers, "+aes128-ctr");
	cfg_client_free(&c);
	CHECK(parse(&c, &msg, "burrow", "-c", "foo", "h", NULL) < 0);
	CHECK_STR(msg, "Unknown cipher type 'foo'\n");
	cfg_client_free(&c);
	CHECK(parse(&c, &msg, "burrow", "-c", "-aes128-ctr", "h", NULL) < 0);
	CHECK_STR(msg, "Unknown cipher type '-aes128-ctr'\n");
	cfg_client_free(&c);
	CHECK_INT(parse(&c, &msg, "burrow", "-m", "hmac-sha1", "-o", "MACs=hmac-sha2-256", "h",
			NULL), 0);
	CHECK_STR(c.macs, "hmac-sha1");
	cfg_client_free(&c);
	CHECK(parse(&c, &msg, "burrow", "-m", "+hmac-sha1", "h", NULL) < 0);
	CHECK_STR(msg, "Unknown mac type '+hmac-sha1'\n");
	cfg_client_free(&c);

	/* -A / -a win over ForwardAgent whichever comes first; the last flag counts. */
	CHECK_INT(parse(&c, &msg, "burrow", "-o", "ForwardAgent=no", "-A", "h", NULL), 0);
	CHECK_INT(c.forward_agent, 1);
	cfg_client_free(&c);
	CHECK_INT(parse(&c, &msg, "burrow", "-A", "-a", "-o", "ForwardAgent=yes", "h", NULL), 0);
	CHECK_INT(c.forward_agent, 0);
	cfg_client_free(&c);
	CHECK_INT(parse(&c, &msg, "burrow", "-C", "-o", "Compression=no", "h", NULL), 0);
	CHECK_INT(c.compression, 1);
	cfg_client_free(&c);

	/* -Q needs no destination and stops parsing. */
	CHECK_INT(parse(&c, &msg, "burrow", "-Q", "cipher", NULL), 0);
	CHECK_STR(c.query, "cipher");
	CHECK(c.host == NULL);
	cfg_client_free(&c);
	CHECK_INT(parse(&c, &msg, "burrow", "-v", "-Qkex", "-z", NULL), 0);
	CHECK_STR(c.query, "kex");
	cfg_client_free(&c);
	CHECK(parse(&c, &msg, "burrow", "-Q", NULL) < 0);
	cfg_client_free(&c);
}

/* The line of a -T dump that starts with kw + ' ' ("" if none). */
static const char *dump_line(const char *dump, const char *kw, char *buf, size_t n)
{
	size_t kl = strlen(kw);

	buf[0] = '\0';
	for (const char *p = dump; *p != '\0';) {
		size_t l = strcspn(p, "\n");

		if (l > kl && strncmp(p, kw, kl) == 0 && p[kl] == ' ') {
			snprintf(buf, n, "%.*s", (int)(l - kl - 1), p + kl + 1);
			break;
		}
		p += l;
		if (*p == '\n')
			p++;
	}
	return buf;
}

static void test_server_keywords(void)
{
	struct server_config c;
	const char *msg, *dump;
	char line[8192];
	char *copy;

	scfg_init(&c);
	CHECK_INT(c.compression, -1);
	CHECK_INT(c.allow_agent_forwarding, -1);
	CHECK_INT(sapply(&c, "MACs hmac-sha2-512-etm@openssh.com,hmac-sha2-256", &msg), 0);
	CHECK_STR(msg, "");
	CHECK_INT(sapply(&c, "Ciphers -chacha20-poly1305@openssh.com", &msg), 0);
	CHECK_INT(sapply(&c, "HostKeyAlgorithms ^rsa-sha2-256", &msg), 0);
	CHECK_INT(sapply(&c, "PubkeyAcceptedKeyTypes +ssh-rsa", &msg), 0);
	CHECK_INT(sapply(&c, "CASignatureAlgorithms ssh-ed25519,rsa-sha2-512", &msg), 0);
	CHECK_INT(sapply(&c, "Compression delayed", &msg), 0);
	CHECK_INT(sapply(&c, "Compression no", &msg), 0); /* first wins */
	CHECK_INT(sapply(&c, "TrustedUserCAKeys /etc/ssh/ca.pub", &msg), 0);
	CHECK_INT(sapply(&c, "HostCertificate /h1-cert.pub", &msg), 0);
	CHECK_INT(sapply(&c, "HostCertificate /h2-cert.pub", &msg), 0);
	CHECK_INT(sapply(&c, "AllowAgentForwarding no", &msg), 0);
	CHECK_INT(c.compression, 1);
	CHECK_INT(c.allow_agent_forwarding, 0);
	CHECK_INT(c.n_host_certificates, 2);
	CHECK_STR(c.host_certificates[1], "/h2-cert.pub");
	CHECK_INT(scfg_finish(&c), 0);
	CHECK_STR(c.macs, "hmac-sha2-512-etm@openssh.com,hmac-sha2-256");
	check_resolved(c.ciphers, CFG_ALG_CIPHER, "-chacha20-poly1305@openssh.com");
	CHECK(strstr(c.ciphers, "chacha") == NULL);
	CHECK(strncmp(c.host_key_algorithms, "rsa-sha2-256,", 13) == 0);
	CHECK(strstr(c.pubkey_accepted_algorithms, ",ssh-rsa") != NULL);
	CHECK_STR(c.ca_signature_algorithms, "ssh-ed25519,rsa-sha2-512");
	CHECK_STR(c.kex_algorithms, kex_default_list());
	CHECK_STR(c.trusted_user_ca_keys, "/etc/ssh/ca.pub");

	/* A copy keeps every new field. */
	{
		struct server_config d;

		CHECK_INT(scfg_copy(&c, &d), 0);
		CHECK_STR(d.macs, c.macs);
		CHECK_STR(d.pubkey_accepted_algorithms, c.pubkey_accepted_algorithms);
		CHECK_STR(d.ca_signature_algorithms, c.ca_signature_algorithms);
		CHECK_STR(d.trusted_user_ca_keys, "/etc/ssh/ca.pub");
		CHECK_INT(d.n_host_certificates, 2);
		CHECK_STR(d.host_certificates[0], "/h1-cert.pub");
		CHECK(d.host_certificates[0] != c.host_certificates[0]);
		scfg_free(&d);
	}

	capture_start_fd(1);
	scfg_dump(&c);
	dump = capture_end();
	copy = strdup(dump);
	CHECK_STR(dump_line(copy, "compression", line, sizeof(line)), "yes");
	CHECK_STR(dump_line(copy, "allowagentforwarding", line, sizeof(line)), "no");
	CHECK_STR(dump_line(copy, "trustedusercakeys", line, sizeof(line)), "/etc/ssh/ca.pub");
	CHECK_STR(dump_line(copy, "hostcertificate", line, sizeof(line)), "/h1-cert.pub");
	CHECK(strstr(copy, "hostcertificate /h2-cert.pub\n") != NULL);
	CHECK_STR(dump_line(copy, "macs", line, sizeof(line)), c.macs);
	CHECK_STR(dump_line(copy, "ciphers", line, sizeof(line)), c.ciphers);
	CHECK_STR(dump_line(copy, "kexalgorithms", line, sizeof(line)), c.kex_algorithms);
	CHECK_STR(dump_line(copy, "hostkeyalgorithms", line, sizeof(line)),
		  c.host_key_algorithms);
	CHECK_STR(dump_line(copy, "pubkeyacceptedalgorithms", line, sizeof(line)),
		  c.pubkey_accepted_algorithms);
	CHECK_STR(dump_line(copy, "casignaturealgorithms", line, sizeof(line)),
		  c.ca_signature_algorithms);
	free(copy);
	scfg_free(&c);

	/* Defaults. */
	scfg_init(&c);
	CHECK_INT(scfg_finish(&c), 0);
	CHECK_INT(c.compression, 1);
	CHECK_INT(c.allow_agent_forwarding, 1);
	CHECK(c.trusted_user_ca_keys == NULL);
	CHECK_INT(c.n_host_certificates, 0);
	CHECK_STR(c.ciphers, cipher_default_list());
	CHECK_STR(c.macs, mac_default_list());
	CHECK_STR(c.host_key_algorithms, key_alg_default_list());
	CHECK_STR(c.pubkey_accepted_algorithms, key_alg_default_list());
	scfg_free(&c);

	/* "none" is no CA file. */
	scfg_init(&c);
	CHECK_INT(sapply(&c, "TrustedUserCAKeys none", &msg), 0);
	CHECK_INT(sapply(&c, "TrustedUserCAKeys /x", &msg), 0);
	CHECK_INT(scfg_finish(&c), 0);
	CHECK(c.trusted_user_ca_keys == NULL);
	scfg_free(&c);

	/* sshd's messages. */
	scfg_init(&c);
	CHECK_INT(sapply(&c, "Ciphers foo", &msg), ERR_FORMAT);
	CHECK_STR(msg, "command-line line 0: Bad SSH2 cipher spec 'foo'.\n");
	CHECK_INT(sapply(&c, "MACs foo", &msg), ERR_FORMAT);
	CHECK_STR(msg, "command-line line 0: Bad SSH2 mac spec 'foo'.\n");
	CHECK_INT(sapply(&c, "KexAlgorithms foo", &msg), ERR_FORMAT);
	CHECK_STR(msg, "Unsupported KEX algorithm \"foo\"\n"
		  "command-line line 0: Bad SSH2 KexAlgorithms 'foo'.\n");
	CHECK_INT(sapply(&c, "PubkeyAcceptedKeyTypes foo", &msg), ERR_FORMAT);
	CHECK_STR(msg, "command-line line 0: Bad key types 'foo'.\n");
	CHECK_INT(sapply(&c, "CASignatureAlgorithms foo", &msg), ERR_FORMAT);
	CHECK_STR(msg, "command-line line 0: Bad key types 'foo'.\n");
	CHECK_INT(sapply(&c, "Compression foo", &msg), ERR_FORMAT);
	CHECK_STR(msg, "command-line line 0: unsupported option \"foo\".\n");
	CHECK_INT(sapply(&c, "AllowAgentForwarding foo", &msg), ERR_FORMAT);
	CHECK_STR(msg, "command-line line 0: unsupported option \"foo\".\n");
	scfg_free(&c);
}

/* Global settings and alice's Match block, shared by the Match tests. */
#define MATCH_ALICE                               \
	"PubkeyAcceptedAlgorithms ssh-ed25519\n"  \
	"AllowAgentForwarding yes\n"              \
	"Match User alice\n"                      \
	"  PubkeyAcceptedAlgorithms +ssh-rsa\n"   \
	"  CASignatureAlgorithms -rsa-sha2-*\n"   \
	"  AllowAgentForwarding no\n"             \
	"  TrustedUserCAKeys /ca-alice\n"

/* A server config file that must be refused with `why` in sshd's message. */
static void check_load_refused(const char *name, const char *text, const char *why)
{
	struct server_config c;
	const char *path = write_file(name, text), *msg;
	int r;

	scfg_init(&c);
	capture_start();
	r = scfg_load_file(&c, path, 1);
	msg = capture_end();
	CHECK_INT(r, ERR_FORMAT);
	CHECK(strstr(msg, why) != NULL);
	scfg_free(&c);
}

/* Match blocks: the per-user keywords resolve like the global ones. */
static void test_server_match(void)
{
	struct server_config c, eff;
	struct scfg_conn_info ci = { "alice", "h", "127.0.0.1", "127.0.0.1", 22 };
	const char *path;

	check_load_refused("match.cfg", MATCH_ALICE "Match User bob\n  MACs hmac-sha1\n",
			   "Directive 'MACs' is not allowed within a Match block");
	check_load_refused("match2.cfg",
			   MATCH_ALICE "Match User carol\n  PubkeyAcceptedAlgorithms bogus\n",
			   "line 9: Bad key types 'bogus'.");
	path = write_file("match3.cfg", MATCH_ALICE);
	scfg_init(&c);
	CHECK_INT(scfg_load_file(&c, path, 1), 0);
	CHECK_INT(scfg_finish(&c), 0);
	CHECK_STR(c.pubkey_accepted_algorithms, "ssh-ed25519");
	CHECK_INT(scfg_copy(&c, &eff), 0);
	CHECK_INT(scfg_apply_match(&eff, &ci), 0);
	check_resolved(eff.pubkey_accepted_algorithms, CFG_ALG_KEY, "+ssh-rsa");
	check_resolved(eff.ca_signature_algorithms, CFG_ALG_CASIG, "-rsa-sha2-*");
	CHECK(strstr(eff.ca_signature_algorithms, "rsa") == NULL);
	CHECK_INT(eff.allow_agent_forwarding, 0);
	CHECK_STR(eff.trusted_user_ca_keys, "/ca-alice");
	scfg_free(&eff);
	/* Someone else keeps the global values. */
	ci.user = "bob";
	CHECK_INT(scfg_copy(&c, &eff), 0);
	CHECK_INT(scfg_apply_match(&eff, &ci), 0);
	CHECK_STR(eff.pubkey_accepted_algorithms, "ssh-ed25519");
	CHECK_INT(eff.allow_agent_forwarding, 1);
	CHECK(eff.trusted_user_ca_keys == NULL);
	scfg_free(&eff);
	scfg_free(&c);
}

int main(void)
{
	CHECK(mkdtemp(tmpdir) != NULL);
	test_client_keywords();
	test_client_flags();
	test_server_keywords();
	test_server_match();
	{
		static const char *const names[] = { "match.cfg", "match2.cfg", "match3.cfg" };
		char p[600];

		for (size_t i = 0; i < 3; i++) {
			snprintf(p, sizeof(p), "%s/%s", tmpdir, names[i]);
			unlink(p);
		}
		rmdir(tmpdir);
	}
	CHECK_DONE();
}
