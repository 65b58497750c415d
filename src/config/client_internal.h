/* Helpers shared by the client option files of src/config (internal). */
#ifndef BURROW_CONFIG_CLIENT_INTERNAL_H
#define BURROW_CONFIG_CLIENT_INTERNAL_H

#include <stddef.h>

#include "config/client_config.h"
#include "config/lexer.h"

/*
 * Where a keyword line comes from: -o (strict), a file (lenient), or a file
 * line in a Host block that does not apply (values checked into a scratch
 * config; keywords refused in applying blocks are passed over).
 */
enum cfg_src { CFG_SRC_CMDLINE = 0, CFG_SRC_FILE, CFG_SRC_FILE_INACTIVE };

/*
 * Apply one lexed, non-blank line that is not Host/Match/Include. From a
 * file, keywords burrow does not implement yet are ignored with a DEBUG1
 * log; from the command line they are refused. Prints ssh's messages.
 */
int cfg_client_apply_lexed(struct client_config *c, struct cfg_line *l, const char *file,
			   unsigned long line, enum cfg_src src);
/* client_auth_kw.c: the password keywords (fields in client_config.h). */
void cfg_client_auth_init(struct client_config *c);
void cfg_client_auth_free(struct client_config *c);
void cfg_client_auth_defaults(struct client_config *c);
/* 1 if l is not one of them; else 0 or a negative error (message printed). */
int cfg_client_apply_auth(struct client_config *c, const struct cfg_line *l, const char *file,
			  unsigned long line, const char *name);
void cfg_client_auth_dump(const struct client_config *c);
/* client_kw_extra.c: the issue 7 keywords (fields in client_config.h). */
void cfg_client_extra_init(struct client_config *c);
void cfg_client_extra_free(struct client_config *c);
void cfg_client_extra_defaults(struct client_config *c);
/* 1 if l is not one of them; else 0 or a negative error (message printed). */
int cfg_client_apply_extra(struct client_config *c, struct cfg_line *l, const char *file,
			   unsigned long line, enum cfg_src src, const char *name);
/* 1 if keyword matches the IgnoreUnknown list seen so far. */
int cfg_client_ignored_unknown(const struct client_config *c, const char *keyword);
/* -b, -D, -e. */
int cfg_client_arg_extra(struct client_config *c, char ch, const char *v);
/* EscapeChar value: a byte, -1 for "none", -3 if bad. */
int cfg_parse_escape_char(const char *v);
int cfg_client_add_dynamic(struct client_config *c, const char *spec);
/* cfg_client_finish(): defaults of the fields above, ClearAllForwardings, tokens. */
int cfg_client_finish_extra(struct client_config *c);
/* client_control_kw.c: ControlPath, ControlMaster, ControlPersist; -S, -M, -O. */
void cfg_client_control_init(struct client_config *c);
void cfg_client_control_free(struct client_config *c);
/* 1: not one of these keywords; otherwise 0 or an error. */
int cfg_client_apply_control(struct client_config *c, const struct cfg_line *l, const char *file,
			     unsigned long line, const char *name);
int cfg_client_arg_control(struct client_config *c, char ch, const char *v);
int cfg_client_finish_control(struct client_config *c);
/* -G lines: controlmaster, controlpath, controlpersist as ssh -G prints them. */
void cfg_client_control_dump(const struct client_config *c);

/* cfg_client_expand_tokens() with %h given (NULL: ""). */
int cfg_client_expand_tokens_h(const struct client_config *c, const char *host, const char *s,
			       const char *allowed, char **out);
/*
 * client_match.c: a Match line's criteria for destination host_arg (all,
 * canonical, final, exec, host, originalhost, user, localuser, each with an
 * optional '!'). *matches 1 or 0; errors as ssh words them.
 */
int cfg_client_match(struct client_config *c, const char *host_arg, const struct cfg_line *l,
		     const char *file, unsigned long line, int *matches);

/* Non-empty, no blanks or control characters, no leading '-'. */
int cfg_host_ok(const char *h, size_t n);
/* The part of ssh://[user@]host[:port][/] after "ssh://". */
int cfg_parse_ssh_uri(const char *s, char **user, char **host, int *port);
/* The user's home directory ($HOME, else the passwd entry); NULL if none. */
const char *cfg_home_dir(void);
/* "~" or "~/x" -> home + rest; anything else copied. */
int cfg_expand_tilde(const char *home, const char *s, char **out);

#endif
