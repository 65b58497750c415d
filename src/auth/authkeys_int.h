/* Internal to src/auth: the authorized_keys options parser. */
#ifndef BURROW_AUTH_AUTHKEYS_INT_H
#define BURROW_AUTH_AUTHKEYS_INT_H

#include "auth/authkeys.h"

/*
 * Parse the options field at *pp, advancing *pp to the first character
 * after it (whitespace or end). ERR_FORMAT with *why set for bad syntax or
 * an unknown option.
 */
int ak_parse_options(const char **pp, struct authkey_opts **out, const char **why);
void ak_strv_free(char **v);

#endif
