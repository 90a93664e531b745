/*
 * kek.c: loading, checking and creating the key-encryption key (see
 * kek.h).  The KEK never enters the database, a log line or an error
 * message; every buffer that held it is wiped.
 *
 * A KEK file that others may read is refused rather than fixed: whoever
 * could read it may have copied it, and the operator should know.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "authd/kek.h"
#include "webauthn/webauthn.h"

/* base64url of 32 bytes, without padding. */
#define KEK_B64_LEN	43

int
kek_path(const struct cfg *c, char *buf, size_t len)
{
	int n;

	if (c->kek_file[0] != '\0')
		n = snprintf(buf, len, "%s", c->kek_file);
	else
		n = snprintf(buf, len, "%s%s", c->database, KEK_SUFFIX);

	return (n < 0 || (size_t)n >= len ? -1 : 0);
}

/* Decodes the text of a KEK; one trailing newline is allowed. */
static int
decode(const char *s, size_t n, unsigned char *kek)
{
	size_t len;

	if (n == KEK_B64_LEN + 1 && s[KEK_B64_LEN] == '\n')
		n--;
	if (n != KEK_B64_LEN ||
	    wa_b64url_decode(s, n, kek, KEK_LEN, &len) != WA_OK ||
	    len != KEK_LEN)
		return (-1);

	return (0);
}

int
kek_read(const char *path, unsigned char *kek, char *err, size_t errlen)
{
	struct stat	sb;
	char		buf[KEK_B64_LEN + 8];
	ssize_t		got;
	size_t		n = 0;
	int		fd = -1, r = -1;

	/* Symlinks are followed: secret stores often mount them. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1) {
		if (errno == ENOENT) {
			r = 1;
			goto fail;
		}
		snprintf(err, errlen, "kek_file %s: %s", path,
		    strerror(errno));
		goto fail;
	}
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode)) {
		snprintf(err, errlen, "kek_file %s: not a regular file", path);
		goto fail;
	}
	if ((sb.st_mode & 077) != 0) {
		snprintf(err, errlen, "kek_file %s: mode %04o lets group or "
		    "others use it; run chmod 600 %s, and replace the key if "
		    "someone may have read it", path,
		    (unsigned int)(sb.st_mode & 07777), path);
		goto fail;
	}
	while (n < sizeof(buf)) {
		if ((got = read(fd, buf + n, sizeof(buf) - n)) == -1) {
			if (errno == EINTR)
				continue;
			snprintf(err, errlen, "kek_file %s: %s", path,
			    strerror(errno));
			goto fail;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	if (decode(buf, n, kek) < 0) {
		snprintf(err, errlen, "kek_file %s: not the base64url of %d "
		    "bytes (and at most a newline)", path, KEK_LEN);
		goto fail;
	}

	r = 0;
fail:
	if (fd != -1)
		close(fd);
	OPENSSL_cleanse(buf, sizeof(buf));
	if (r != 0)
		OPENSSL_cleanse(kek, KEK_LEN);

	return (r);
}

int
kek_create(const char *path, unsigned char *kek, char *err, size_t errlen)
{
	char	*b64 = NULL;
	char	 line[KEK_B64_LEN + 2];
	size_t	 n, off = 0;
	ssize_t	 w;
	int	 fd = -1, r = -1;
	bool	 made = false;

	if (RAND_bytes(kek, KEK_LEN) != 1 ||
	    (b64 = wa_b64url_encode(kek, KEK_LEN)) == NULL ||
	    strlen(b64) != KEK_B64_LEN) {
		snprintf(err, errlen, "kek_file %s: cannot make a key", path);
		goto fail;
	}
	n = (size_t)snprintf(line, sizeof(line), "%s\n", b64);
	/* O_EXCL: never replace a key that something may depend on. */
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600)) == -1) {
		snprintf(err, errlen, "kek_file %s: cannot create: %s", path,
		    strerror(errno));
		goto fail;
	}
	made = true;
	while (off < n) {
		if ((w = write(fd, line + off, n - off)) == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		off += (size_t)w;
	}
	if (off != n || fsync(fd) == -1) {
		snprintf(err, errlen, "kek_file %s: cannot write: %s", path,
		    strerror(errno));
		goto fail;
	}

	r = 0;
fail:
	if (fd != -1 && close(fd) == -1 && r == 0) {
		snprintf(err, errlen, "kek_file %s: cannot write: %s", path,
		    strerror(errno));
		r = -1;
	}
	if (r != 0) {
		if (made)
			(void)unlink(path);
		OPENSSL_cleanse(kek, KEK_LEN);
	}
	OPENSSL_cleanse(line, sizeof(line));
	if (b64 != NULL)
		OPENSSL_cleanse(b64, strlen(b64));
	free(b64);

	return (r);
}

int
kek_from_env(unsigned char *kek, char *err, size_t errlen)
{
	char	*v;
	int	 r;

	if ((v = getenv(KEK_ENV)) == NULL)
		return (1);
	r = decode(v, strlen(v), kek);
	/* In place: the value also sits in the process's initial stack. */
	OPENSSL_cleanse(v, strlen(v));
	(void)unsetenv(KEK_ENV);
	if (r < 0) {
		OPENSSL_cleanse(kek, KEK_LEN);
		snprintf(err, errlen, "%s: not the base64url of %d bytes",
		    KEK_ENV, KEK_LEN);
		return (-1);
	}

	return (0);
}

int
kek_load(const struct cfg *c, unsigned char *kek, char *src, size_t srclen,
    char *err, size_t errlen)
{
	int r;

	if ((r = kek_from_env(kek, err, errlen)) <= 0) {
		snprintf(src, srclen, "%s", KEK_ENV);
		return (r);
	}
	if (kek_path(c, src, srclen) < 0) {
		snprintf(err, errlen, "kek_file: path too long");
		return (-1);
	}

	return (kek_read(src, kek, err, errlen));
}

int
kek_unlock(const struct cfg *c, struct store *st, bool *created, char *src,
    size_t srclen, char *err, size_t errlen)
{
	unsigned char	kek[KEK_LEN];
	bool		sealed = false;
	int		e, r = -1;

	*created = false;
	if ((r = kek_load(c, kek, src, srclen, err, errlen)) < 0)
		goto fail;
	if (r == 1) {
		r = -1;
		if ((e = store_keyring_exists(st, &sealed)) != STORE_OK) {
			snprintf(err, errlen, "database %s: %s", c->database,
			    store_strerr(e));
			goto fail;
		}
		if (sealed) {
			snprintf(err, errlen, "kek_file %s: missing, and "
			    "database %s is sealed with a key-encryption key; "
			    "restore the key file, set kek_file, or set %s",
			    src, c->database, KEK_ENV);
			goto fail;
		}
		if (kek_create(src, kek, err, errlen) < 0)
			goto fail;
		*created = true;
	}
	if ((e = store_unlock(st, kek, (int64_t)time(NULL))) != STORE_OK) {
		if (e == STORE_ERR_KEY)
			snprintf(err, errlen, "%s: not the key-encryption key "
			    "of database %s", src, c->database);
		else
			snprintf(err, errlen, "database %s: unlock: %s",
			    c->database, store_strerr(e));
		/* A key made for nothing must not look like the key. */
		if (*created) {
			(void)unlink(src);
			*created = false;
		}
		r = -1;
		goto fail;
	}

	r = 0;
fail:
	OPENSSL_cleanse(kek, sizeof(kek));

	return (r);
}

/* The directory of path's real location, in dir (PATH_MAX). */
static bool
real_dir(const char *path, char *dir)
{
	char *real, *d;

	if ((real = realpath(path, NULL)) == NULL)
		return (false);
	d = dirname(real);
	snprintf(dir, PATH_MAX, "%s", d);
	free(real);

	return (true);
}

bool
kek_beside_database(const struct cfg *c, const char *src)
{
	char a[PATH_MAX], b[PATH_MAX];

	if (strcmp(src, KEK_ENV) == 0)
		return (false);

	return (real_dir(src, a) && real_dir(c->database, b) &&
	    strcmp(a, b) == 0);
}
