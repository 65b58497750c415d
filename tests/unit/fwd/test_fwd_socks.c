/* The sans-I/O SOCKS parser: every version, split input, early data, errors and replies. */
#include <stdint.h>
#include <string.h>

#include "../check.h"
#include "conn/conn.h"
#include "fwd/fwd_socks.h"
#include "util/err.h"

/* Feed hex in one piece; returns the parser's result, used and reply in hex-free form. */
static int feed(struct fwd_socks *s, const char *hex, size_t *used, struct buf *out)
{
	unsigned char b[600];
	size_t n = check_unhex(hex, b, sizeof(b));

	return fwd_socks_input(s, b, n, used, out);
}

static void test_socks4(void)
{
	struct fwd_socks s;
	struct buf out;
	size_t used = 99;

	/* 4, CONNECT, port 8080, 10.1.2.3, user "ab". */
	fwd_socks_init(&s);
	buf_init(&out);
	CHECK_INT(feed(&s, "04011f900a0102036162", &used, &out), FWD_SOCKS_MORE);
	CHECK_INT(used, 0);
	CHECK_INT(feed(&s, "04011f900a010203616200", &used, &out), FWD_SOCKS_DONE);
	CHECK_INT(used, 11);
	CHECK_INT(s.version, 4);
	CHECK_INT(s.socks4a, 0);
	CHECK_STR(s.host, "10.1.2.3");
	CHECK_INT(s.port, 8080);
	CHECK_INT(buf_len(&out), 0);
	CHECK_INT(fwd_socks_reply(&s, SOCKS5_OK, &out), 0);
	CHECK_INT(buf_len(&out), 8);
	CHECK_MEM(buf_ptr(&out), "\x00\x5a\0\0\0\0\0\0", 8);
	buf_reset(&out);
	CHECK_INT(fwd_socks_reply(&s, SOCKS5_REFUSED, &out), 0);
	CHECK_MEM(buf_ptr(&out), "\x00\x5b", 2);
	buf_free(&out);

	/* 4A: 0.0.0.1, empty user, "example.org", then two early data bytes. */
	fwd_socks_init(&s);
	buf_init(&out);
	CHECK_INT(feed(&s, "040100500000000100657861", &used, &out), FWD_SOCKS_MORE);
	CHECK_INT(feed(&s, "0401005000000001006578616d706c652e6f726700aabb", &used, &out),
		  FWD_SOCKS_DONE);
	CHECK_INT(used, 21);
	CHECK_INT(s.socks4a, 1);
	CHECK_STR(s.host, "example.org");
	CHECK_INT(s.port, 80);
	/* BIND (2) is refused with "rejected". */
	fwd_socks_init(&s);
	CHECK(feed(&s, "04020050010203040000", &used, &out) < 0);
	CHECK_INT(buf_len(&out), 8);
	CHECK_MEM(buf_ptr(&out), "\x00\x5b", 2);
	buf_reset(&out);
	/* A user id over 255 bytes without its NUL. */
	{
		unsigned char b[300];

		memset(b, 'u', sizeof(b));
		memcpy(b, "\x04\x01\x00\x50\x01\x02\x03\x04", 8);
		fwd_socks_init(&s);
		CHECK_INT(fwd_socks_input(&s, b, sizeof(b), &used, &out), ERR_TOO_LARGE);
	}
	buf_free(&out);
}

static void test_socks5(void)
{
	struct fwd_socks s;
	struct buf out;
	size_t used = 0;

	/* Greeting alone: method choice 05 00, then MORE. */
	fwd_socks_init(&s);
	buf_init(&out);
	CHECK_INT(feed(&s, "050200", &used, &out), FWD_SOCKS_MORE);
	CHECK_INT(used, 0);
	CHECK_INT(buf_len(&out), 0);
	CHECK_INT(feed(&s, "05020002", &used, &out), FWD_SOCKS_MORE);
	CHECK_INT(used, 4);
	CHECK_INT(buf_len(&out), 2);
	CHECK_MEM(buf_ptr(&out), "\x05\x00", 2);
	buf_reset(&out);
	/* Request by name, split: first part only, then whole with early data. */
	CHECK_INT(feed(&s, "0501000309", &used, &out), FWD_SOCKS_MORE);
	CHECK_INT(used, 0);
	CHECK_INT(feed(&s, "050100030b6578616d706c652e636f6d01bb47", &used, &out),
		  FWD_SOCKS_DONE);
	CHECK_INT(used, 18);
	CHECK_STR(s.host, "example.com");
	CHECK_INT(s.port, 443);
	CHECK_INT(buf_len(&out), 0);
	CHECK_INT(fwd_socks_reply(&s, SOCKS5_OK, &out), 0);
	CHECK_INT(buf_len(&out), 10);
	CHECK_MEM(buf_ptr(&out), "\x05\x00\x00\x01\0\0\0\0\0\0", 10);
	buf_free(&out);

	/* Greeting and IPv6 request in one read. */
	fwd_socks_init(&s);
	buf_init(&out);
	CHECK_INT(feed(&s, "050100" "05010004" "00000000000000000000000000000001" "1f90",
		       &used, &out), FWD_SOCKS_DONE);
	CHECK_INT(used, 25);
	CHECK_STR(s.host, "::1");
	CHECK_INT(s.port, 8080);
	CHECK_MEM(buf_ptr(&out), "\x05\x00", 2);
	buf_free(&out);

	/* IPv4. */
	fwd_socks_init(&s);
	buf_init(&out);
	CHECK_INT(feed(&s, "050100" "050100017f0000010016", &used, &out), FWD_SOCKS_DONE);
	CHECK_STR(s.host, "127.0.0.1");
	CHECK_INT(s.port, 22);
	buf_free(&out);

	/* Only username/password offered: 05 FF and an error. */
	fwd_socks_init(&s);
	buf_init(&out);
	CHECK(feed(&s, "050102", &used, &out) < 0);
	CHECK_INT(buf_len(&out), 2);
	CHECK_MEM(buf_ptr(&out), "\x05\xff", 2);
	buf_free(&out);

	/* UDP ASSOCIATE: command not supported (07). */
	fwd_socks_init(&s);
	buf_init(&out);
	CHECK(feed(&s, "050100" "050300017f0000010016", &used, &out) < 0);
	CHECK_INT(buf_len(&out), 12);
	CHECK_MEM(buf_ptr(&out) + 2, "\x05\x07", 2);
	buf_free(&out);

	/* Unknown address type: 08. A name with a NUL: general failure. */
	fwd_socks_init(&s);
	buf_init(&out);
	CHECK(feed(&s, "050100" "050100097f0000010016", &used, &out) < 0);
	CHECK_MEM(buf_ptr(&out) + 2, "\x05\x08", 2);
	buf_free(&out);
	fwd_socks_init(&s);
	buf_init(&out);
	CHECK(feed(&s, "050100" "050100030261000050", &used, &out) < 0);
	CHECK_MEM(buf_ptr(&out) + 2, "\x05\x01", 2);
	buf_free(&out);

	/* Neither 4 nor 5. */
	fwd_socks_init(&s);
	buf_init(&out);
	CHECK_INT(feed(&s, "474554202f", &used, &out), ERR_PROTOCOL);
	CHECK_INT(buf_len(&out), 0);
	buf_free(&out);
}

static void test_codes(void)
{
	CHECK_INT(fwd_socks_code(SSH_OPEN_ADMINISTRATIVELY_PROHIBITED, "open failed"), 2);
	CHECK_INT(fwd_socks_code(SSH_OPEN_CONNECT_FAILED, "Connection refused"), 5);
	CHECK_INT(fwd_socks_code(SSH_OPEN_CONNECT_FAILED, "Network is unreachable"), 3);
	CHECK_INT(fwd_socks_code(SSH_OPEN_CONNECT_FAILED, "No route to host"), 4);
	CHECK_INT(fwd_socks_code(SSH_OPEN_CONNECT_FAILED, "Name or service not known"), 4);
	CHECK_INT(fwd_socks_code(SSH_OPEN_CONNECT_FAILED, "Connection timed out"), 6);
	CHECK_INT(fwd_socks_code(SSH_OPEN_CONNECT_FAILED, "Something else"), 1);
	CHECK_INT(fwd_socks_code(SSH_OPEN_RESOURCE_SHORTAGE, "x"), 1);
}

/* Random bytes fed in random pieces: never a crash, never a read past the input. */
static void test_random(void)
{
	unsigned seed = 12345;

	for (int iter = 0; iter < 20000; iter++) {
		uint8_t b[64];
		size_t n, have = 0;
		struct fwd_socks s;
		struct buf out;

		seed = seed * 1103515245u + 12345u;
		n = 1 + (seed >> 16) % sizeof(b);
		for (size_t i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			b[i] = (uint8_t)(seed >> 16);
		}
		b[0] = (uint8_t)(4 + iter % 2);
		fwd_socks_init(&s);
		buf_init(&out);
		while (have < n) {
			size_t used = 0, step = 1 + (seed >> 20) % 8;
			int r;

			have = have + step > n ? n : have + step;
			r = fwd_socks_input(&s, b, have, &used, &out);
			if (r != FWD_SOCKS_MORE) {
				CHECK(r < 0 || used <= have);
				break;
			}
			CHECK(used <= have);
			memmove(b, b + used, n - used);
			n -= used;
			have -= used;
		}
		buf_free(&out);
	}
}

int main(void)
{
	test_random();
	test_socks4();
	test_socks5();
	test_codes();
	CHECK_DONE();
}
