/*
 * kek.h: the key-encryption key (KEK) that unlocks the store's sealed
 * fields (store.h, store_unlock).  It comes from the environment
 * (AUTHD_KEK) or, failing that, from kek_file, by default the database
 * path with ".kek" appended.  Either holds the base64url of KEK_LEN
 * random bytes; the file may end in one newline and must be a regular
 * file with no group or other permission bits.  Shared by authd and
 * authctl.
 */
#ifndef AUTHD_KEK_H
#define AUTHD_KEK_H

#include <stdbool.h>
#include <stddef.h>

#include "authd/cfg.h"
#include "store/store.h"

#define KEK_LEN		STORE_KEY_LEN
#define KEK_ENV		"AUTHD_KEK"
#define KEK_SUFFIX	".kek"

/* The KEK file of c: kek_file, else database + ".kek".  0 or -1. */
int	 kek_path(const struct cfg *, char *, size_t);
/*
 * Reads a KEK file.  0, 1 if it does not exist, -1 if it cannot be
 * used (err names the file and why: mode, type, content).  OUT: kek,
 * KEK_LEN bytes, wiped by the caller.
 */
int	 kek_read(const char *, unsigned char *, char *, size_t);
/*
 * Creates a KEK file holding a new random KEK: O_EXCL, mode 0600, synced.
 * 0 or -1 (err).  OUT: kek.
 */
int	 kek_create(const char *, unsigned char *, char *, size_t);
/*
 * The KEK in AUTHD_KEK, which is then wiped from the environment so that
 * it cannot leak to a child or /proc.  0, 1 if unset, -1 if malformed
 * (err).  OUT: kek.
 */
int	 kek_from_env(unsigned char *, char *, size_t);
/*
 * The current KEK of c: AUTHD_KEK, else the file.  0, 1 if neither
 * exists, -1 (err).  OUT: kek; where it came from in src ("AUTHD_KEK"
 * or the file's path).
 */
int	 kek_load(const struct cfg *, unsigned char *, char *, size_t,
	    char *, size_t);
/*
 * Unlocks st with the KEK of c.  If neither AUTHD_KEK nor the file
 * exists and the database has no keyring yet (its first use), the file
 * is created and *created set; if the database has a keyring, that is
 * an error.  0 or -1 (err, which never holds key material).  OUT:
 * *created; src as kek_load.
 */
int	 kek_unlock(const struct cfg *, struct store *, bool *, char *,
	    size_t, char *, size_t);
/*
 * True if src (as kek_load gives it) is a file in the directory of c's
 * database: then one copy of that directory holds the data and the key
 * that opens it.
 */
bool	 kek_beside_database(const struct cfg *, const char *);

#endif /* AUTHD_KEK_H */
