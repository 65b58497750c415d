/* burrowd SIGUSR1: what this connection forwards right now (open channels, -R listeners). */
#include "fwd/fwd.h"

#include <stdio.h>
#include <time.h>

#include "chanio/chanio.h"
#include "util/log.h"

void fwd_srv_chan_link(struct fwd_server *fs, struct fwd_srv_chan *c)
{
	c->prev = NULL;
	c->next = fs->chans;
	if (fs->chans != NULL)
		fs->chans->prev = c;
	fs->chans = c;
}

void fwd_srv_chan_unlink(struct fwd_server *fs, struct fwd_srv_chan *c)
{
	if (c->prev != NULL)
		c->prev->next = c->next;
	else if (fs->chans == c)
		fs->chans = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	c->next = c->prev = NULL;
}

static double age(const struct timespec *start)
{
	struct timespec now;

	if (start == NULL)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

/* Same field names and directions as the audit line (fwd_log_audit), so both can be compared. */
void fwd_server_dump(const struct fwd_server *fs)
{
	unsigned n = 0;

	for (const struct fwd_srv_chan *c = fs->chans; c != NULL; c = c->next) {
		uint64_t in = c->cio != NULL ? chanio_bytes_in(c->cio) : 0;
		uint64_t out = c->cio != NULL ? chanio_bytes_out(c->cio) : 0;

		log_info("dump: channel %s user=%s client=%s originator=%s target=%s sent=%llu "
			 "received=%llu age=%.1fs state=%s",
			 c->kind, fs->user, fs->client, c->originator, c->target,
			 (unsigned long long)(c->sent_is_out ? out : in),
			 (unsigned long long)(c->sent_is_out ? in : out), age(c->start),
			 c->cio != NULL ? "open" : "opening");
		n++;
	}
	fwd_server_dump_listeners(fs);
	log_info("dump: end user=%s client=%s channels=%u", fs->user, fs->client, n);
}
