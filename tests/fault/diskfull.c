/*
 * diskfull.c: a full disk and a failing one, for the real authd
 * (LD_PRELOAD; tests/fault/fault_disk.c).  It stands in front of the
 * calls by which SQLite's unix VFS writes and syncs (write, pwrite,
 * pwrite64, fsync, fdatasync) and, for files under DISKFULL_DIR only,
 * fails them while the file DISKFULL_CTL exists:
 *
 *   DISKFULL_CTL holds "ENOSPC"   writes fail with ENOSPC (a full disk;
 *                                 SQLite reports SQLITE_FULL)
 *   DISKFULL_CTL holds "EIO"      writes and syncs fail with EIO (a
 *                                 failing disk; SQLITE_IOERR)
 *
 * Every other file, and everything while the control file is absent,
 * goes to the C library untouched.  For tests only.
 */
#define _GNU_SOURCE
#include <sys/types.h>

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

ssize_t	write(int, const void *, size_t);
ssize_t	pwrite(int, const void *, size_t, off_t);
ssize_t	pwrite64(int, const void *, size_t, off64_t);
int	fsync(int);
int	fdatasync(int);

typedef int	(*open_fn)(const char *, int, ...);
typedef ssize_t	(*read_fn)(int, void *, size_t);
typedef int	(*fd_fn)(int);
typedef ssize_t	(*write_fn)(int, const void *, size_t);
typedef ssize_t	(*pwrite_fn)(int, const void *, size_t, off_t);
typedef ssize_t	(*pwrite64_fn)(int, const void *, size_t, off64_t);

/* The C library's name, into *fp (a function pointer); 0 or -1. */
static int
next(const char *name, void *fp, size_t len)
{
	void *p;

	if ((p = dlsym(RTLD_NEXT, name)) == NULL || len != sizeof(p)) {
		errno = ENOSYS;
		return (-1);
	}
	memcpy(fp, &p, len);

	return (0);
}

/* The errno to fail fd's call with, or 0 to let it through. */
static int
failure(int fd, int sync)
{
	static open_fn	 real_open;
	static read_fn	 real_read;
	static fd_fn	 real_close;
	const char	*dir = getenv("DISKFULL_DIR");
	const char	*ctl = getenv("DISKFULL_CTL");
	char		 link[64], path[4096], mode[16];
	ssize_t		 n;
	int		 c, e = 0;

	if (dir == NULL || ctl == NULL || fd < 0)
		return (0);
	if (real_close == NULL && (next("open", &real_open,
	    sizeof(real_open)) < 0 || next("read", &real_read,
	    sizeof(real_read)) < 0 || next("close", &real_close,
	    sizeof(real_close)) < 0))
		return (0);
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	if ((n = readlink(link, path, sizeof(path) - 1)) <= 0)
		return (0);
	path[n] = '\0';
	if (strncmp(path, dir, strlen(dir)) != 0)
		return (0);
	if ((c = real_open(ctl, O_RDONLY | O_CLOEXEC)) < 0)
		return (0);
	n = real_read(c, mode, sizeof(mode) - 1);
	real_close(c);
	mode[n > 0 ? n : 0] = '\0';
	if (strncmp(mode, "ENOSPC", 6) == 0 && !sync)
		e = ENOSPC;
	else if (strncmp(mode, "EIO", 3) == 0)
		e = EIO;

	return (e);
}

/* Fails the call with failure()'s errno, or makes the real one. */
#define CALL(type, name, sync, fd, ...)					\
	static type real;						\
	int e;								\
									\
	if (real == NULL && next(name, &real, sizeof(real)) < 0)	\
		return (-1);						\
	if ((e = failure(fd, sync)) != 0) {				\
		errno = e;						\
		return (-1);						\
	}								\
	return (real(fd, __VA_ARGS__))

ssize_t
write(int fd, const void *p, size_t n)
{
	CALL(write_fn, "write", 0, fd, p, n);
}

ssize_t
pwrite(int fd, const void *p, size_t n, off_t off)
{
	CALL(pwrite_fn, "pwrite", 0, fd, p, n, off);
}

ssize_t
pwrite64(int fd, const void *p, size_t n, off64_t off)
{
	CALL(pwrite64_fn, "pwrite64", 0, fd, p, n, off);
}

int
fsync(int fd)
{
	static fd_fn	real;
	int		e;

	if (real == NULL && next("fsync", &real, sizeof(real)) < 0)
		return (-1);
	if ((e = failure(fd, 1)) != 0) {
		errno = e;
		return (-1);
	}

	return (real(fd));
}

int
fdatasync(int fd)
{
	static fd_fn	real;
	int		e;

	if (real == NULL && next("fdatasync", &real, sizeof(real)) < 0)
		return (-1);
	if ((e = failure(fd, 1)) != 0) {
		errno = e;
		return (-1);
	}

	return (real(fd));
}
