/* ssh-agent protocol client against a scripted fake agent on a socketpair. */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../check.h"
#include "agent/agent.h"
#include "util/err.h"
#include "wire/buf.h"
#include "wire/rd.h"

/* RFC 8032 section 7.1 test 1 and 2 secret keys. */
static const char *seed1 = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
static const char *seed2 = "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb";

static struct key *ed_key(const char *hex)
{
	unsigned char seed[32];
	struct key *k = NULL;

	CHECK_INT(check_unhex(hex, seed, sizeof(seed)), 32);
	CHECK_INT(key_ed25519_from_seed(seed, 32, &k), 0);
	return k;
}

/* Queue one framed message (uint32 length || body) on the fake agent's end. */
static void agent_says(int fd, const struct buf *body)
{
	uint8_t len[4];

	put_u32be(len, (uint32_t)buf_len(body));
	CHECK_INT(write(fd, len, 4), 4);
	CHECK_INT(write(fd, buf_ptr(body), buf_len(body)), (long long)buf_len(body));
}

/* Read what the client sent (one framed message) and compare it with want. */
static void client_said(int fd, const struct buf *want)
{
	uint8_t got[4096];
	ssize_t n = read(fd, got, sizeof(got));

	CHECK_INT(n, (long long)(4 + buf_len(want)));
	if (n != (ssize_t)(4 + buf_len(want)))
		return;
	CHECK_INT(get_u32be(got), (long long)buf_len(want));
	CHECK_MEM(got + 4, buf_ptr(want), buf_len(want));
}

static void put_key_blob(struct buf *b, const struct key *k)
{
	struct buf blob;

	buf_init(&blob);
	CHECK_INT(key_to_blob(k, &blob), 0);
	CHECK_INT(buf_put_stringb(b, &blob), 0);
	buf_free(&blob);
}

static void pair(int sv[2], struct agent **a, int timeout_ms)
{
	CHECK_INT(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	CHECK_INT(agent_open_fd(sv[0], timeout_ms, a), 0);
}

static void test_list(void)
{
	struct key *k1 = ed_key(seed1), *k2 = ed_key(seed2);
	struct agent_identity *ids = NULL;
	struct agent *a = NULL;
	struct buf ans, req, odd;
	size_t n = 0;
	int sv[2];

	pair(sv, &a, 2000);
	buf_init(&ans);
	buf_init(&req);
	buf_init(&odd);
	/* IDENTITIES_ANSWER: 3 keys, the middle one of a type we do not know. */
	buf_put_u8(&ans, SSH_AGENT_IDENTITIES_ANSWER);
	buf_put_u32(&ans, 3);
	put_key_blob(&ans, k1);
	buf_put_cstring(&ans, "first key");
	buf_put_cstring(&odd, "ssh-unknown@example.com");
	buf_put_cstring(&odd, "whatever");
	buf_put_stringb(&ans, &odd);
	buf_put_cstring(&ans, "odd key");
	put_key_blob(&ans, k2);
	buf_put_cstring(&ans, "second key");
	agent_says(sv[1], &ans);
	CHECK_INT(agent_list(a, &ids, &n), 0);
	buf_put_u8(&req, SSH_AGENTC_REQUEST_IDENTITIES);
	client_said(sv[1], &req);
	CHECK_INT(n, 2);
	if (n == 2) {
		CHECK(key_equal(ids[0].key, k1));
		CHECK(!key_has_private(ids[0].key));
		CHECK_STR(ids[0].comment, "first key");
		CHECK(key_equal(ids[1].key, k2));
		CHECK_STR(ids[1].comment, "second key");
	}
	agent_identities_free(ids, n);

	/* An empty list. */
	buf_reset(&ans);
	buf_put_u8(&ans, SSH_AGENT_IDENTITIES_ANSWER);
	buf_put_u32(&ans, 0);
	agent_says(sv[1], &ans);
	ids = NULL;
	CHECK_INT(agent_list(a, &ids, &n), 0);
	CHECK_INT(n, 0);
	client_said(sv[1], &req);
	agent_identities_free(ids, n);

	/* FAILURE instead of an answer. */
	buf_reset(&ans);
	buf_put_u8(&ans, SSH_AGENT_FAILURE);
	agent_says(sv[1], &ans);
	CHECK_INT(agent_list(a, &ids, &n), ERR_PERMISSION);
	client_said(sv[1], &req);
	agent_close(a);
	close(sv[1]);
	buf_free(&ans);
	buf_free(&req);
	buf_free(&odd);
	key_free(k1);
	key_free(k2);
}

static void test_parse_identities_malformed(void)
{
	struct key *k1 = ed_key(seed1);
	struct agent_identity *ids = NULL;
	struct buf b;
	size_t n = 99;

	buf_init(&b);
	/* Says two keys, carries one. */
	buf_put_u32(&b, 2);
	put_key_blob(&b, k1);
	buf_put_cstring(&b, "c");
	CHECK(agent_parse_identities(buf_ptr(&b), buf_len(&b), &ids, &n) < 0);
	CHECK(ids == NULL);
	CHECK_INT(n, 99);
	/* One key and a trailing byte. */
	buf_reset(&b);
	buf_put_u32(&b, 1);
	put_key_blob(&b, k1);
	buf_put_cstring(&b, "c");
	buf_put_u8(&b, 0);
	CHECK_INT(agent_parse_identities(buf_ptr(&b), buf_len(&b), &ids, &n), ERR_FORMAT);
	/* Absurd count. */
	buf_reset(&b);
	buf_put_u32(&b, 0xffffffffu);
	CHECK_INT(agent_parse_identities(buf_ptr(&b), buf_len(&b), &ids, &n), ERR_TOO_LARGE);
	/* Comment string longer than the message. */
	buf_reset(&b);
	buf_put_u32(&b, 1);
	put_key_blob(&b, k1);
	buf_put_u32(&b, 1000);
	CHECK_INT(agent_parse_identities(buf_ptr(&b), buf_len(&b), &ids, &n), ERR_TRUNCATED);
	buf_free(&b);
	key_free(k1);
}

static void test_sign(void)
{
	static const uint8_t data[] = "data to be signed by the agent";
	struct key *k1 = ed_key(seed1), *pub = NULL;
	struct agent *a = NULL;
	struct buf ans, req, sig, out;
	int sv[2];

	CHECK_INT(key_public_copy(k1, &pub), 0);
	pair(sv, &a, 2000);
	buf_init(&ans);
	buf_init(&req);
	buf_init(&sig);
	buf_init(&out);
	/* The agent signs with the private key; we ask with the public one. */
	CHECK_INT(key_sign(k1, "ssh-ed25519", data, sizeof(data), &sig), 0);
	buf_put_u8(&ans, SSH_AGENT_SIGN_RESPONSE);
	buf_put_stringb(&ans, &sig);
	agent_says(sv[1], &ans);
	CHECK_INT(agent_sign(a, pub, "ssh-ed25519", data, sizeof(data), &out), 0);
	/* byte 13, string key blob, string data, uint32 flags 0 */
	buf_put_u8(&req, SSH_AGENTC_SIGN_REQUEST);
	put_key_blob(&req, pub);
	buf_put_string(&req, data, sizeof(data));
	buf_put_u32(&req, 0);
	client_said(sv[1], &req);
	CHECK_INT(buf_len(&out), buf_len(&sig));
	CHECK_MEM(buf_ptr(&out), buf_ptr(&sig), buf_len(&sig));
	CHECK_INT(key_verify(pub, "ssh-ed25519", buf_ptr(&out), buf_len(&out), data, sizeof(data)),
		  0);

	/* The agent refuses. */
	close(sv[1]);
	agent_close(a);
	pair(sv, &a, 2000);
	buf_reset(&ans);
	buf_put_u8(&ans, SSH_AGENT_FAILURE);
	agent_says(sv[1], &ans);
	buf_reset(&out);
	CHECK_INT(agent_sign(a, pub, "ssh-ed25519", data, sizeof(data), &out), ERR_PERMISSION);
	CHECK_INT(buf_len(&out), 0);
	client_said(sv[1], &req);

	/* It answers with another algorithm than asked (an agent ignoring the RSA flags). */
	buf_reset(&ans);
	buf_put_u8(&ans, SSH_AGENT_SIGN_RESPONSE);
	buf_put_stringb(&ans, &sig);
	agent_says(sv[1], &ans);
	CHECK_INT(agent_sign(a, pub, "rsa-sha2-512", data, sizeof(data), &out), ERR_SIGNATURE);
	CHECK_INT(buf_len(&out), 0);
	/* ... and the request carried flag 4. */
	buf_consume_end(&req, 4);
	buf_put_u32(&req, SSH_AGENT_RSA_SHA2_512);
	client_said(sv[1], &req);

	/* An unexpected message type. */
	buf_reset(&ans);
	buf_put_u8(&ans, SSH_AGENT_IDENTITIES_ANSWER);
	buf_put_u32(&ans, 0);
	agent_says(sv[1], &ans);
	CHECK_INT(agent_sign(a, pub, "ssh-ed25519", data, sizeof(data), &out), ERR_PROTOCOL);
	agent_close(a);
	close(sv[1]);
	buf_free(&ans);
	buf_free(&req);
	buf_free(&sig);
	buf_free(&out);
	key_free(pub);
	key_free(k1);
}

static void test_flags(void)
{
	CHECK_INT(agent_sign_flags("ssh-ed25519"), 0);
	CHECK_INT(agent_sign_flags("ssh-rsa"), 0);
	CHECK_INT(agent_sign_flags("rsa-sha2-256"), 2);
	CHECK_INT(agent_sign_flags("rsa-sha2-512"), 4);
	CHECK_INT(agent_sign_flags("rsa-sha2-512-cert-v01@openssh.com"), 4);
	CHECK_INT(agent_sign_flags("ecdsa-sha2-nistp256"), 0);
}

static void test_sign_response_parse(void)
{
	struct buf b, inner, out;

	buf_init(&b);
	buf_init(&inner);
	buf_init(&out);
	buf_put_cstring(&inner, "rsa-sha2-256");
	buf_put_cstring(&inner, "SIG");
	buf_put_stringb(&b, &inner);
	CHECK_INT(agent_parse_sign_response(buf_ptr(&b), buf_len(&b), "rsa-sha2-256", &out), 0);
	CHECK_INT(buf_len(&out), buf_len(&inner));
	/* A certificate algorithm signs with the plain one (PROTOCOL.certkeys). */
	buf_reset(&out);
	CHECK_INT(agent_parse_sign_response(buf_ptr(&b), buf_len(&b),
					    "rsa-sha2-256-cert-v01@openssh.com", &out), 0);
	CHECK_INT(agent_parse_sign_response(buf_ptr(&b), buf_len(&b), "ssh-rsa", &out),
		  ERR_SIGNATURE);
	CHECK_INT(agent_parse_sign_response(buf_ptr(&b), buf_len(&b), "rsa-sha2-25", &out),
		  ERR_SIGNATURE);
	/* Trailing bytes inside the signature blob. */
	buf_reset(&b);
	buf_put_u8(&inner, 1);
	buf_put_stringb(&b, &inner);
	buf_reset(&out);
	CHECK_INT(agent_parse_sign_response(buf_ptr(&b), buf_len(&b), "rsa-sha2-256", &out),
		  ERR_FORMAT);
	CHECK_INT(buf_len(&out), 0);
	buf_free(&b);
	buf_free(&inner);
	buf_free(&out);
}

static void test_transport_errors(void)
{
	struct agent_identity *ids = NULL;
	struct agent *a = NULL;
	uint8_t big[5] = { 0x7f, 0xff, 0xff, 0xff, 12 };
	size_t n = 0;
	int sv[2];

	/* Silence: bounded by the timeout. */
	pair(sv, &a, 200);
	CHECK_INT(agent_list(a, &ids, &n), ERR_AGAIN);
	agent_close(a);
	close(sv[1]);
	/* The agent hangs up. */
	pair(sv, &a, 2000);
	close(sv[1]);
	CHECK(agent_list(a, &ids, &n) < 0);
	agent_close(a);
	/* A length over the limit. */
	pair(sv, &a, 2000);
	CHECK_INT(write(sv[1], big, sizeof(big)), 5);
	CHECK_INT(agent_list(a, &ids, &n), ERR_TOO_LARGE);
	agent_close(a);
	close(sv[1]);
	/* A short answer, then EOF. */
	pair(sv, &a, 2000);
	big[0] = 0;
	big[1] = 0;
	big[2] = 0;
	big[3] = 9;
	CHECK_INT(write(sv[1], big, sizeof(big)), 5);
	shutdown(sv[1], SHUT_WR);
	CHECK_INT(agent_list(a, &ids, &n), ERR_EOF);
	agent_close(a);
	close(sv[1]);
	CHECK(ids == NULL);
}

static void test_socket_path(void)
{
	setenv("SSH_AUTH_SOCK", "/tmp/agent.sock", 1);
	setenv("OTHER_SOCK", "/tmp/other.sock", 1);
	CHECK_STR(agent_socket_path(NULL), "/tmp/agent.sock");
	CHECK_STR(agent_socket_path("SSH_AUTH_SOCK"), "/tmp/agent.sock");
	CHECK_STR(agent_socket_path("$OTHER_SOCK"), "/tmp/other.sock");
	CHECK_STR(agent_socket_path("/x/y"), "/x/y");
	CHECK(agent_socket_path("none") == NULL);
	unsetenv("SSH_AUTH_SOCK");
	CHECK(agent_socket_path(NULL) == NULL);
	setenv("SSH_AUTH_SOCK", "", 1);
	CHECK(agent_socket_path(NULL) == NULL);
	{
		int fd = -1;

		CHECK_INT(agent_socket_connect("/nonexistent/agent.sock", &fd), ERR_NOT_FOUND);
		CHECK_INT(fd, -1);
	}
}

int main(void)
{
	test_flags();
	test_list();
	test_parse_identities_malformed();
	test_sign();
	test_sign_response_parse();
	test_transport_errors();
	test_socket_path();
	CHECK_DONE();
}
