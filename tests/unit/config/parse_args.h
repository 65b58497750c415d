/* Run cfg_client_parse_args on a NULL-terminated argv, capturing what it prints. */
#ifndef BURROW_TESTS_CONFIG_PARSE_ARGS_H
#define BURROW_TESTS_CONFIG_PARSE_ARGS_H

#include <stdarg.h>

#include "capture.h"
#include "config/client_config.h"

/* argv[0] included; *msg gets stderr (valid until the next capture). */
static inline int parse(struct client_config *c, const char **msg, ...)
{
	const char *argv[32];
	va_list ap;
	int argc = 0, r;

	va_start(ap, msg);
	while ((argv[argc] = va_arg(ap, const char *)) != NULL)
		argc++;
	va_end(ap);
	cfg_client_init(c);
	capture_start();
	r = cfg_client_parse_args(c, argc, (char **)argv);
	*msg = capture_end();
	return r;
}

#endif
