/*
 * authctl.h: the commands of authctl, the administration tool.
 */
#ifndef AUTHD_AUTHCTL_H
#define AUTHD_AUTHCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Each command takes its own argv (argv[0] is the command name). */
int	authctl_verify_registration(int, char **);
int	authctl_verify_authentication(int, char **);

/*
 * The administration commands (authctl_admin.c): global --config and
 * --db (NULL if absent), then argv from the command name.  -1 if the
 * name is not one of them.
 */
int	authctl_admin(const char *, const char *, int, char **);
int	authctl_admin_usage(FILE *);
/*
 * authctl audit verify|export|checkpoint and authctl backup FILE
 * (authctl_audit.c), called by authctl_admin.c with its loaded
 * configuration.
 */
struct cfg;
struct store;
int	authctl_audit(const struct cfg *, int, char **);
/*
 * Opens the configured database; with unlock, also unlocks its sealed
 * fields with the key-encryption key (kek.h), creating the key file on
 * the database's first use.  Errors go to standard error.  0 or -1.
 */
int	authctl_open(const struct cfg *, bool, struct store **);
int	authctl_backup(const struct cfg *, int, char **);
/* authctl token verify ... (authctl_token.c). */
int	authctl_token(int, char **);

/* RFC 3339 time to seconds since the epoch; 0 or -1. */
int	authctl_parse_time(const char *, int64_t *);
/*
 * Reads the file (standard input for NULL) into a NUL-terminated
 * malloc'd buffer; -1 with errno EFBIG if it holds more than max bytes.
 */
int	authctl_read_all(const char *, size_t, unsigned char **, size_t *);

#endif /* AUTHD_AUTHCTL_H */
