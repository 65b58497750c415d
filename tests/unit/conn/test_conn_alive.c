/* Peer liveness schedule: probes after each interval of silence, death after interval x count. */
#include "conn/conn.h"

#include "../check.h"

#define S 1000000u

/* Run the schedule from t0 to t1 as an owner would (calling at *next), no packets received. */
static int run_silent(struct conn_alive *a, uint64_t t0, uint64_t t1, unsigned *probes,
		      uint64_t *dead_at)
{
	uint64_t now = t0, next = 0;
	int st;

	*probes = 0;
	*dead_at = 0;
	for (int guard = 0; guard < 1000; guard++) {
		st = conn_alive_step(a, now, &next);
		if (st == CONN_ALIVE_DEAD) {
			*dead_at = now;
			return 0;
		}
		if (st == CONN_ALIVE_OFF)
			return 0;
		if (st == CONN_ALIVE_PROBE)
			(*probes)++;
		CHECK(next > now || st == CONN_ALIVE_PROBE);
		if (next > t1)
			return 0;
		if (next > now)
			now = next;
	}
	return -1;
}

int main(void)
{
	struct conn_alive a;
	uint64_t next = 0, dead;
	unsigned probes;

	/* Off. */
	conn_alive_init(&a, 0, 3, 0, 10 * S);
	CHECK_INT(conn_alive_step(&a, 100 * S, &next), CONN_ALIVE_OFF);

	/* 2 s x 3: probes at 2 s and 4 s of silence, dead at 6 s. */
	conn_alive_init(&a, 2, 3, 0, 10 * S);
	CHECK_INT(conn_alive_step(&a, 10 * S, &next), CONN_ALIVE_IDLE);
	CHECK_INT(next, 12 * S);
	CHECK_INT(conn_alive_step(&a, 11 * S, &next), CONN_ALIVE_IDLE);
	CHECK_INT(conn_alive_step(&a, 12 * S, &next), CONN_ALIVE_PROBE);
	CHECK_INT(next, 14 * S);
	CHECK_INT(conn_alive_step(&a, 12 * S + 1, &next), CONN_ALIVE_IDLE);
	CHECK_INT(conn_alive_step(&a, 14 * S, &next), CONN_ALIVE_PROBE);
	CHECK_INT(conn_alive_unanswered(&a), 2);
	CHECK_INT(next, 16 * S);
	CHECK_INT(conn_alive_step(&a, 16 * S - 1, &next), CONN_ALIVE_IDLE);
	CHECK_INT(conn_alive_step(&a, 16 * S, &next), CONN_ALIVE_DEAD);

	/* An answer resets the count and the clock. */
	conn_alive_init(&a, 2, 3, 0, 0);
	CHECK_INT(conn_alive_step(&a, 2 * S, &next), CONN_ALIVE_PROBE);
	conn_alive_rx(&a, 2 * S + 5000);
	CHECK_INT(conn_alive_unanswered(&a), 0);
	CHECK_INT(conn_alive_step(&a, 4 * S, &next), CONN_ALIVE_IDLE);
	CHECK_INT(next, 4 * S + 5000);
	CHECK_INT(conn_alive_step(&a, 6 * S, &next), CONN_ALIVE_PROBE);
	CHECK_INT(conn_alive_step(&a, 8 * S + 4999, &next), CONN_ALIVE_PROBE);
	CHECK_INT(conn_alive_step(&a, 8 * S + 5000, &next), CONN_ALIVE_DEAD);

	/* A live idle peer answering within 100 ms is never declared dead. */
	conn_alive_init(&a, 1, 1, 0, 0);
	{
		uint64_t now = 0;
		int died = 0, nprobe = 0;

		for (int i = 0; i < 200; i++) {
			int st = conn_alive_step(&a, now, &next);

			if (st == CONN_ALIVE_DEAD)
				died = 1;
			if (st == CONN_ALIVE_PROBE) {
				nprobe++;
				conn_alive_rx(&a, now + 100000); /* the answer */
				now += 100000;
				continue;
			}
			now = next;
		}
		CHECK_INT(died, 0);
		CHECK(nprobe > 50);
	}

	/* Silent from the start: dead within interval x count, with count probes (or fewer). */
	for (unsigned iv = 1; iv <= 5; iv++) {
		for (unsigned cm = 1; cm <= 5; cm++) {
			conn_alive_init(&a, iv, cm, 0, 7 * S);
			CHECK_INT(run_silent(&a, 7 * S, 1000 * S, &probes, &dead), 0);
			CHECK_INT(dead, 7 * S + (uint64_t)iv * cm * S);
			CHECK_INT(probes, cm == 1 ? 1 : cm - 1);
		}
	}

	/* Count 0: ssh gives up after one interval; sshd never (zero_disables). */
	conn_alive_init(&a, 3, 0, 0, 0);
	CHECK_INT(run_silent(&a, 0, 1000 * S, &probes, &dead), 0);
	CHECK_INT(dead, 3 * S);
	conn_alive_init(&a, 3, 0, 1, 0);
	CHECK_INT(run_silent(&a, 0, 30 * S, &probes, &dead), 0);
	CHECK_INT(dead, 0);
	CHECK_INT(probes, 10);
	return check_failures != 0;
}
