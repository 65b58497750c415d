/* Shared between the sshd_config source files (internal to src/config). */
#ifndef BURROW_CONFIG_SERVER_INTERNAL_H
#define BURROW_CONFIG_SERVER_INTERNAL_H

#include "config/lexer.h"
#include "config/server_config.h"
#include "config/server_keywords.h"

/* server_fwd.c: the forwarding keywords; messages as sshd. */
int scfg_apply_fwd(struct server_config *c, const struct skw *kw, const struct cfg_line *l,
		   const char *file, unsigned long line);
const char *scfg_fwd_allow_name(int v);
const char *scfg_gateway_name(int v);

/* server_session_kw.c: AcceptEnv, Subsystem, PrintMotd, StrictModes. */
int scfg_apply_session(struct server_config *c, const struct skw *kw, const struct cfg_line *l,
		       const char *file, unsigned long line);
/* Their defaults (scfg_finish) and their burrowd -T lines. */
void scfg_session_defaults(struct server_config *c);
void scfg_dump_session(const struct server_config *c);

/* server_auth_kw.c: the password keywords (init, apply, defaults, Match, -T). */
int scfg_apply_auth(struct server_config *c, const struct skw *kw, const struct cfg_line *l,
		    const char *file, unsigned long line);
void scfg_auth_init(struct server_config *c);
void scfg_auth_finish(struct server_config *c);
void scfg_auth_override(struct server_config *c, struct server_config *m);
void scfg_auth_dump(const struct server_config *c);

/* server_args.c: resolve the algorithm lists (scfg_finish; Match blocks). */
int scfg_resolve_algs(struct server_config *c);
/* "none" (any case) -> NULL, for optional paths like TrustedUserCAKeys. */
void scfg_none_is_null(char **s);

/* server_match.c: Match blocks as stored at load time. */
/*
 * Parse a Match line's criteria and append a new block to c->matches; *cur
 * becomes it. Errors are printed as sshd words them and are fatal.
 */
int scfg_match_begin(struct server_config *c, const struct cfg_line *l, const char *file,
		     unsigned long line, struct scfg_match **cur);
/* Record one line of the block (kept with its file/line for messages). */
int scfg_match_add_line(struct scfg_match *m, const char *text, const char *file,
			unsigned long line);
void scfg_matches_free(struct scfg_match *m);
int scfg_matches_copy(const struct scfg_match *src, struct scfg_match **dst);
/* 1 if some block has a LocalPort criterion (burrowd -T -C then needs lport). */
int scfg_matches_use_lport(const struct scfg_match *m);

#endif
