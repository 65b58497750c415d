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
/* Non-empty, no blanks or control characters, no leading '-'. */
int cfg_host_ok(const char *h, size_t n);
/* The part of ssh://[user@]host[:port][/] after "ssh://". */
int cfg_parse_ssh_uri(const char *s, char **user, char **host, int *port);
/* The user's home directory ($HOME, else the passwd entry); NULL if none. */
const char *cfg_home_dir(void);
/* "~" or "~/x" -> home + rest; anything else copied. */
int cfg_expand_tilde(const char *home, const char *s, char **out);

#endif
