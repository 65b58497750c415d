/* Per-forward counters and their three renderings (fwd_stats.c). */
#include <stdlib.h>
#include <string.h>

#include "../check.h"
#include "fwd/fwd.h"
#include "wire/buf.h"

static char *render(const struct fwd_stat *list, enum fwd_stats_fmt fmt)
{
	struct buf b;
	char *s;

	buf_init(&b);
	CHECK_INT(fwd_stats_format(list, fmt, &b), 0);
	s = strndup((const char *)buf_ptr(&b), buf_len(&b));
	buf_free(&b);
	return s;
}

static void test_spec_str(void)
{
	struct fwd_spec a = { .listen_port = 8080, .connect_host = "localhost", .connect_port = 80 };
	struct fwd_spec b = { .listen_host = "::1", .listen_port = 1, .connect_host = "fe80::1",
			      .connect_port = 22 };
	struct fwd_spec c = { .listen_path = "/tmp/s", .listen_port = -1, .connect_path = "/r",
			      .connect_port = -1 };
	char out[300];

	fwd_spec_str(&a, out, sizeof(out));
	CHECK_STR(out, "8080:localhost:80");
	fwd_spec_str(&b, out, sizeof(out));
	CHECK_STR(out, "[::1]:1:[fe80::1]:22");
	fwd_spec_str(&c, out, sizeof(out));
	CHECK_STR(out, "/tmp/s:/r");
}

static void test_counters_and_formats(void)
{
	struct fwd_client fc;
	struct fwd_spec a = { .listen_port = 8080, .connect_host = "h\"x", .connect_port = 80 };
	struct fwd_spec r = { .listen_port = 0, .connect_host = "t", .connect_port = 9 };
	struct fwd_stat *st, *st2;
	struct fwd_live l1 = { 0 }, l2 = { 0 };
	uint64_t o, i;
	char *s;

	memset(&fc, 0, sizeof(fc));
	st = fwd_stat_get(&fc, 'L', &a);
	CHECK(st != NULL);
	CHECK(fwd_stat_get(&fc, 'L', &a) == st);
	st2 = fwd_stat_get(&fc, 'R', &r);
	CHECK(st2 != NULL && st2 != st && st->next == st2);
	fwd_stat_conn_start(st, &l1);
	fwd_stat_conn_start(st, &l2);
	CHECK_INT(st->active, 2);
	CHECK_INT(st->total, 2);
	fwd_stat_conn_failed(st, "connect failed: Connection refused");
	fwd_stat_conn_end(st, &l1);
	fwd_stat_conn_end(st, &l1); /* twice: no effect */
	CHECK_INT(st->active, 1);
	st->done_out = 100;
	st->done_in = 7;
	fwd_stat_bytes(st, &o, &i);
	CHECK_INT(o, 100);
	CHECK_INT(i, 7);
	snprintf(st->listen, sizeof(st->listen), "127.0.0.1:8080");
	/* Throughput: 100 bytes out over two seconds since the first sample. */
	st->done_out = 0;
	fwd_stats_sample(fc.stats, 1000000);
	st->done_out = 100;
	fwd_stats_sample(fc.stats, 3000000);
	CHECK_INT(st->rate_out, 50);
	CHECK_INT(st->rate_in, 0);

	s = render(fc.stats, FWD_STATS_JSON);
	CHECK_STR(s, "[{\"type\":\"local\",\"spec\":\"8080:h\\\"x:80\",\"listen\":\"127.0.0.1:8080\","
		     "\"active\":1,\"total\":2,\"bytes_out\":100,\"bytes_in\":7,"
		     "\"open_failures\":1,\"last_error\":\"connect failed: Connection refused\","
		     "\"throughput_out\":50,\"throughput_in\":0,\"cancelled\":false},"
		     "{\"type\":\"remote\",\"spec\":\"0:t:9\",\"listen\":\"\",\"active\":0,"
		     "\"total\":0,\"bytes_out\":0,\"bytes_in\":0,\"open_failures\":0,"
		     "\"last_error\":\"\",\"throughput_out\":0,\"throughput_in\":0,"
		     "\"cancelled\":false}]");
	free(s);
	s = render(fc.stats, FWD_STATS_PROM);
	CHECK(strstr(s, "# TYPE burrow_forward_connections_total counter\n") != NULL);
	CHECK(strstr(s, "burrow_forward_connections_total{type=\"local\",spec=\"8080:h\\\"x:80\"} 2\n")
	      != NULL);
	CHECK(strstr(s, "burrow_forward_bytes_in_total{type=\"local\",spec=\"8080:h\\\"x:80\"} 7\n")
	      != NULL);
	CHECK(strstr(s, "burrow_forward_active_connections{type=\"remote\",spec=\"0:t:9\"} 0\n")
	      != NULL);
	free(s);
	s = render(fc.stats, FWD_STATS_TEXT);
	CHECK(strstr(s, "-L 8080:h\"x:80 listen 127.0.0.1:8080: active 1, total 2, bytes out 100, "
			"in 7, now 50/0 B/s, open failures 1, last error: connect failed") != NULL);
	free(s);
	/* A cancelled forward keeps its line; the same spec set up again counts afresh. */
	st->cancelled = 1;
	CHECK(fwd_stat_get(&fc, 'L', &a) != st);
	fwd_stat_conn_end(st, &l2);
	CHECK_INT(st->active, 0);
	fwd_stats_free(&fc);
	CHECK(fc.stats == NULL);
}

int main(void)
{
	test_spec_str();
	test_counters_and_formats();
	return check_failures != 0;
}
