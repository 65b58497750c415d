/* Buffer and reader edge cases: truncated, oversized and overflowing lengths. */
#include <stdlib.h>
#include <string.h>

#include "../check.h"
#include "util/err.h"
#include "wire/base64.h"
#include "wire/buf.h"
#include "wire/rd.h"

static void test_roundtrip(void)
{
	struct buf b;
	struct rd r;
	uint8_t u8 = 0;
	uint32_t u32 = 0;
	uint64_t u64 = 0;
	int flag = 0;
	char *s = NULL;

	buf_init(&b);
	CHECK_INT(buf_put_u8(&b, 7), 0);
	CHECK_INT(buf_put_u32(&b, 0xdeadbeef), 0);
	CHECK_INT(buf_put_u64(&b, 0x0102030405060708ULL), 0);
	CHECK_INT(buf_put_bool(&b, 5), 0);
	CHECK_INT(buf_put_cstring(&b, "ssh-userauth"), 0);
	rd_init(&r, buf_ptr(&b), buf_len(&b));
	CHECK_INT(rd_u8(&r, &u8), 0);
	CHECK_INT(u8, 7);
	CHECK_INT(rd_u32(&r, &u32), 0);
	CHECK(u32 == 0xdeadbeef);
	CHECK_INT(rd_u64(&r, &u64), 0);
	CHECK(u64 == 0x0102030405060708ULL);
	CHECK_INT(rd_bool(&r, &flag), 0);
	CHECK_INT(flag, 1);
	CHECK_INT(rd_cstring(&r, &s), 0);
	CHECK_STR(s, "ssh-userauth");
	CHECK_INT(rd_end(&r), 0);
	free(s);
	buf_free(&b);
}

static void test_truncated(void)
{
	/* string claims 5 bytes but only 3 follow */
	static const uint8_t msg[] = { 0, 0, 0, 5, 'a', 'b', 'c' };
	static const uint8_t huge[] = { 0xff, 0xff, 0xff, 0xff, 'a' };
	struct rd r;
	const uint8_t *p = NULL;
	size_t n = 99;
	uint32_t v;

	rd_init(&r, msg, sizeof(msg));
	CHECK_INT(rd_string(&r, &p, &n), ERR_TRUNCATED);
	CHECK(p == NULL && n == 99); /* out-params untouched on failure */
	CHECK_INT(r.off, 0);         /* position unchanged on failure */
	rd_init(&r, huge, sizeof(huge));
	CHECK_INT(rd_string(&r, &p, &n), ERR_TRUNCATED);
	rd_init(&r, msg, 3);
	CHECK_INT(rd_u32(&r, &v), ERR_TRUNCATED);
	rd_init(&r, msg, sizeof(msg));
	CHECK_INT(rd_skip(&r, SIZE_MAX), ERR_TRUNCATED);
	CHECK_INT(rd_u32(&r, &v), 0);
	CHECK_INT(rd_end(&r), ERR_FORMAT); /* trailing bytes */
}

static void test_cstring_nul(void)
{
	static const uint8_t msg[] = { 0, 0, 0, 3, 'a', 0, 'c' };
	struct rd r;
	char *s = NULL;

	rd_init(&r, msg, sizeof(msg));
	CHECK_INT(rd_cstring(&r, &s), ERR_FORMAT);
	CHECK(s == NULL);
}

static void test_mpint(void)
{
	static const uint8_t mag[] = { 0x00, 0x80, 0x01 };
	static const uint8_t neg[] = { 0, 0, 0, 1, 0x80 };
	static const uint8_t lead0[] = { 0, 0, 0, 2, 0x00, 0x01 };
	struct buf b;
	struct rd r;
	const uint8_t *m;
	size_t n;

	buf_init(&b);
	CHECK_INT(buf_put_mpint_bytes(&b, mag, sizeof(mag)), 0);
	/* leading zero dropped, then 0x00 added back because the top bit is set */
	CHECK_INT(buf_len(&b), 4 + 3);
	CHECK(buf_ptr(&b)[3] == 3 && buf_ptr(&b)[4] == 0 && buf_ptr(&b)[5] == 0x80);
	rd_init(&r, buf_ptr(&b), buf_len(&b));
	CHECK_INT(rd_mpint_pos(&r, &m, &n), 0);
	CHECK_INT(n, 2);
	CHECK(m[0] == 0x80 && m[1] == 0x01);
	rd_init(&r, neg, sizeof(neg));
	CHECK_INT(rd_mpint_pos(&r, &m, &n), ERR_FORMAT);
	rd_init(&r, lead0, sizeof(lead0));
	CHECK_INT(rd_mpint_pos(&r, &m, &n), ERR_FORMAT);
	buf_reset(&b);
	CHECK_INT(buf_put_mpint_bytes(&b, (const uint8_t *)"\0\0", 2), 0);
	CHECK_INT(buf_len(&b), 4); /* zero is the empty mpint */
	buf_free(&b);
}

static void test_limits(void)
{
	struct buf b;
	uint8_t *p;

	buf_init(&b);
	buf_set_max(&b, 16);
	CHECK_INT(buf_reserve(&b, 17, &p), ERR_TOO_LARGE);
	CHECK_INT(buf_reserve(&b, 10, &p), 0);
	CHECK_INT(buf_reserve(&b, 7, &p), ERR_TOO_LARGE);
	CHECK_INT(buf_len(&b), 10);
	CHECK_INT(buf_reserve(&b, SIZE_MAX, &p), ERR_TOO_LARGE);
	CHECK_INT(buf_consume(&b, 11), ERR_TRUNCATED);
	CHECK_INT(buf_consume(&b, 4), 0);
	/* consumed space is reused without exceeding max */
	CHECK_INT(buf_reserve(&b, 10, &p), 0);
	CHECK_INT(buf_len(&b), 16);
	buf_free(&b);
}

static void test_base64(void)
{
	struct buf b;
	static const char *enc[] = { "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy" };
	const char *plain = "foobar";

	buf_init(&b);
	for (size_t i = 0; i < 7; i++) {
		buf_reset(&b);
		CHECK_INT(base64_encode(&b, plain, i, 1), 0);
		CHECK(buf_len(&b) == strlen(enc[i]) && memcmp(buf_ptr(&b), enc[i], buf_len(&b)) == 0);
		buf_reset(&b);
		CHECK_INT(base64_decode(&b, enc[i], strlen(enc[i])), 0);
		CHECK(buf_len(&b) == i && memcmp(buf_ptr(&b), plain, i) == 0);
	}
	buf_reset(&b);
	CHECK_INT(base64_encode(&b, "fo", 2, 0), 0);
	CHECK(buf_len(&b) == 3 && memcmp(buf_ptr(&b), "Zm8", 3) == 0);
	buf_reset(&b);
	CHECK_INT(base64_decode(&b, "Zm8", 3), 0);
	CHECK_INT(buf_len(&b), 2);
	buf_reset(&b);
	CHECK_INT(base64_decode(&b, "Zm9v!", 5), ERR_FORMAT);
	CHECK_INT(buf_len(&b), 0);
	CHECK_INT(base64_decode(&b, "Zg==Zg==", 8), ERR_FORMAT);
	CHECK_INT(base64_decode(&b, "Z", 1), ERR_FORMAT);
	buf_free(&b);
}

int main(void)
{
	test_roundtrip();
	test_truncated();
	test_cstring_nul();
	test_mpint();
	test_limits();
	test_base64();
	CHECK_DONE();
}
