/*
 * Algorithm lists of ssh_config(5) / sshd_config(5): Ciphers, MACs,
 * KexAlgorithms, HostKeyAlgorithms, PubkeyAcceptedAlgorithms and
 * CASignatureAlgorithms, with OpenSSH's list syntax:
 *   "a,b"   replaces the default (for key algorithms, entries may be
 *           wildcard patterns matched against the supported names);
 *   "+a,b"  appends supported names matching a,b to the default;
 *   "-a,b"  removes default names matching the patterns a,b;
 *   "^a,b"  puts supported names matching a,b at the front of the default.
 * Names appear once in a result, in the order first given.
 */
#ifndef BURROW_CONFIG_ALGLIST_H
#define BURROW_CONFIG_ALGLIST_H

enum cfg_alg_kind {
	CFG_ALG_CIPHER,
	CFG_ALG_MAC,
	CFG_ALG_KEX,
	CFG_ALG_KEY,    /* HostKeyAlgorithms, PubkeyAcceptedAlgorithms */
	CFG_ALG_CASIG,  /* CASignatureAlgorithms: the key list without certificates */
};

/*
 * Is spec acceptable as a configuration value? As OpenSSH checks it at
 * parse time: a "-" list is not checked; otherwise (after a '+' or '^')
 * every entry must be a supported name, or with `wildcards` a pattern
 * matching at least one supported name. An empty list or a '!' entry is
 * bad. 0 or ERR_FORMAT; *bad (may be NULL) then points at a static copy of
 * the first bad entry.
 */
int cfg_alg_check(const char *spec, const char *supported, int wildcards, const char **bad);
/*
 * The resolved list for spec (NULL or "" = the default) against the
 * default and supported lists. *out is malloc'd (possibly "": everything
 * removed). ERR_FORMAT for a '!' entry.
 */
int cfg_alg_assemble(const char *spec, const char *def, const char *supported, char **out);

/* The default and supported lists of a kind (from the crypto layer), malloc'd. */
int cfg_alg_lists(enum cfg_alg_kind kind, char **def, char **supported);
/* Key algorithm names reordered as OpenSSH lists them (ssh -Q key-sig), malloc'd. */
int cfg_alg_key_order(const char *list, char **out);
/* cfg_alg_assemble() with the kind's lists. */
int cfg_alg_resolve(enum cfg_alg_kind kind, const char *spec, char **out);
/* Replace *spec (malloc'd or NULL = the default) by its resolved form; kept on error. */
int cfg_alg_resolve_inplace(enum cfg_alg_kind kind, char **spec);
/* The algorithm keywords ssh_config and sshd_config share, by address of their values. */
struct cfg_alg_fields {
	char **ciphers, **macs, **kex, **host_key, **pubkey, **ca_sig;
};
/* cfg_alg_resolve_inplace() on each of them; stops at the first error. */
int cfg_alg_resolve_fields(const struct cfg_alg_fields *f);
/*
 * Check a keyword's value and print OpenSSH's message on a bad one
 * ("FILE line N: Bad SSH2 cipher spec 'x'."; sshd says "mac spec" where ssh
 * says "MAC spec", hence `server`). 0 or ERR_FORMAT.
 */
int cfg_alg_check_kw(enum cfg_alg_kind kind, const char *spec, const char *file,
		     unsigned long line, int server);
/* Plain (non-"-") spec check for ssh -c / -m, no message. 1 if valid. */
int cfg_alg_valid(enum cfg_alg_kind kind, const char *spec);

/*
 * ssh -Q: print the names for a query, one per line, on stdout. Queries:
 * cipher, cipher-auth, mac, kex, key, key-plain, key-cert, key-sig, sig,
 * compression, protocol-version, help, and the keywords Ciphers, MACs,
 * KexAlgorithms, HostKeyAlgorithms, PubkeyAcceptedAlgorithms (any case).
 * Unknown: prints `Unsupported query "x"` on stderr, ERR_NOT_FOUND.
 */
int cfg_query(const char *what);

#endif
