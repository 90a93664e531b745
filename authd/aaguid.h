/*
 * aaguid.h: authenticator models by AAGUID, for people reading the admin
 * console.  The names are informational: attestation, not this table,
 * decides what is trusted.
 */
#ifndef AUTHD_AAGUID_H
#define AUTHD_AAGUID_H

/* "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" into out[37]. */
void		 aaguid_format(const unsigned char *, char *);
/* The model's name, or NULL if unknown. */
const char	*aaguid_name(const unsigned char *);

#endif /* AUTHD_AAGUID_H */
