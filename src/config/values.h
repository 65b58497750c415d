/*
 * Value parsers shared by the client and server options (internal to
 * src/config). They print nothing; callers word the messages as OpenSSH does.
 */
#ifndef BURROW_CONFIG_VALUES_H
#define BURROW_CONFIG_VALUES_H

#include <stdint.h>

/* yes/true -> 1, no/false -> 0 (any case), else -1. */
int cfg_parse_yesno(const char *s);
/* Decimal 1..65535 only; -1 if anything else. */
int cfg_parse_port(const char *s);
/* Decimal 0..65535 (ssh's a2port: 0 is allowed); -1 if anything else. */
int cfg_parse_port0(const char *s);
/*
 * ssh_config/sshd_config time: plain seconds or a run of number+unit
 * (s m h d w, either case), e.g. "1h30m". At most INT_MAX seconds.
 * ERR_FORMAT if invalid.
 */
int cfg_parse_time(const char *s, int64_t *secs);
/*
 * Size with an optional fraction and unit B K M G T P E (powers of 1024, either
 * case), e.g. "512K", "1.5G"; a leading '-' is allowed (the caller range-checks).
 * ERR_FORMAT if malformed, ERR_TOO_LARGE if it does not fit in int64_t.
 */
int cfg_parse_size(const char *s, int64_t *bytes);
/*
 * LogLevel names (QUIET FATAL ERROR INFO VERBOSE DEBUG DEBUG1-3, any case) to
 * enum log_level; -1 if unknown. Kept here rather than log_level_parse()
 * because util/log.c includes <syslog.h>, whose LOG_INFO macro shadows the
 * enum constant there.
 */
int cfg_parse_log_level(const char *s);
const char *cfg_log_level_name(int level);
/* Non-negative decimal int (no sign, no units); ERR_FORMAT / ERR_TOO_LARGE. */
int cfg_parse_uint(const char *s, int *v);
/* *dst = a copy of v, freeing the old value; *dst is kept on ERR_ALLOC. */
int cfg_replace_str(char **dst, const char *v);
/*
 * RekeyLimit arguments: size ("default" = 0, else >= 16 or 0) and an optional
 * time ("none" = 0). `what` is set to a short reason on failure:
 * "number" (bad size; err ERR_FORMAT/ERR_TOO_LARGE), "small", "time".
 */
int cfg_parse_rekey_args(const char *size, const char *time, int64_t *bytes,
			 int64_t *secs, const char **what);

#endif
