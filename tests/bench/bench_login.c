/*
 * bench_login.c: end-to-end sign-in load test against a real authd
 * holding 100,000 registered credentials (issue 3, "Benchmark").
 *
 * Setup, paid once: the database lives in BUILD/bench/ and is reused
 * while BUILD/bench/keys.txt (the marker of a finished setup) matches
 * the requested size; each run starts from a copy of it as populated.  authd is started on a fresh database, its
 * first-admin code registers one passkey over HTTP, and authd is
 * stopped; the credential it stored is the template for the bulk.  The
 * bulk users and ES256 credentials are then written through the
 * store's public API (store_user_ensure, store_cred_register: the calls
 * the registration routes make), with fsync turned off by a VFS shim
 * for this setup only, because each HTTP registration costs three
 * requests and five durable commits (user, code, credential, two audit
 * rows) behind SQLite's one write lock: 100,000 users over HTTP would
 * take well over ten minutes here, against about 40 s.  The private
 * keys of every (users/sample)th user go to keys.txt (mode 0600).
 *
 * Load: authd is started again (so its peak RSS is the load's), and
 * each of the client threads, on its own keep-alive connection, runs
 * username-first sign-ins with its own share of the sample: POST
 * /v1/authentication/options, an ES256 assertion from the software
 * authenticator with an increasing counter, POST
 * /v1/authentication/verify and its access token.  Logins completed in
 * the window after the warm-up count; latency is the whole login.
 *
 * The crypto floor, in the same run, is what one core does per login
 * with nothing but the cryptography authd cannot avoid: ECDSA P-256
 * verify, Ed25519 sign of a token-sized input, SHA-256 of the client
 * data, keys decoded once.
 *
 * CPU time of authd (/proc/PID/stat), of this program and of the whole
 * machine (/proc/stat) over the window gives the CPU per login and the
 * CPU-bound ceiling, CPUs / (authd + client CPU per login), which stays
 * meaningful when other processes share the machine; their share is
 * printed, with a warning above 0.1 CPU.
 *
 * Usage: bench_login [--users=N] [--sample=N] [--clients=N]
 *     [--threads=N] [--rate=N] [--warmup=S] [--duration=S]
 *     [--log-level=L] [--perf=FILE] [--repopulate] [--strict]
 * By default each client starts its next login as soon as the last one
 * ends (closed loop), so the mean latency is clients / throughput: 64
 * clients within 20 ms need 3,200 logins/s.  --rate=N offers N
 * logins/s in total instead (open loop), each client on a fixed
 * schedule, and latency counts from the scheduled start.
 * --perf records authd with perf record -g during the measured window.
 * --strict exits 1 when a target is missed (errors always do).
 * BENCH_AUTHD and BENCH_DIR override BUILD/authd and BUILD/bench, BUILD
 * being three levels above this program.
 */
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <sqlite3.h>

#include "store/store.h"
#include "webauthn/webauthn.h"
#include "tests/lib/httpc.h"
#include "tests/lib/softauth.h"

#define DEF_USERS	100000
#define DEF_SAMPLE	2000
#define DEF_CLIENTS	64
#define DEF_WARMUP	2.0
#define DEF_DURATION	10.0
#define KEYS_MAGIC	"authd-bench-keys 1"
#define RP_ID		"localhost"
#define FLAGS_UP_UV	(WA_FLAG_UP | WA_FLAG_UV)
#define MAX_PATH	512
#define MAX_NAME	(STORE_MAX_USERNAME + 1)

#define TARGET_RATE	3000.0	/* logins per second, at least */
#define TARGET_P99_MS	20.0	/* at most */
#define TARGET_RSS_MIB	64.0	/* at most */

extern char	**environ;

struct options {
	long		 users;
	long		 sample;
	long		 clients;
	long		 threads;	/* 0: clients + 32 */
	double		 rate;		/* logins/s offered; 0: closed */
	double		 warmup;
	double		 duration;
	const char	*log_level;
	const char	*perf;
	bool		 repopulate;
	bool		 strict;
};

/* A credential of the sample, owned by one client thread at a time. */
struct sample {
	char		 name[MAX_NAME];
	unsigned char	 handle[STORE_HANDLE_LEN];
	struct sa_cred	*cred;
	uint32_t	 count;		/* the last count presented */
};

struct authd {
	pid_t	 pid;
	char	 port[8];
	char	 origin[64];
	char	 out[MAX_PATH];	/* its stdout */
	char	 log[MAX_PATH];	/* its stderr */
};

/* Latencies in microseconds, grown by doubling. */
struct lat {
	uint32_t	*v;
	size_t		 n;
	size_t		 cap;
};

struct worker {
	pthread_t	 tid;
	size_t		 idx;
	struct hc_conn	*conn;
	struct lat	 login, opt, ver;
	unsigned long	 errors;
	char		 first_err[256];
};

static struct options	 opt = {
	DEF_USERS, DEF_SAMPLE, DEF_CLIENTS, 0, 0, DEF_WARMUP, DEF_DURATION,
	"warn", NULL, false, false,
};
static char		 authd_bin[MAX_PATH], dir[MAX_PATH], db[MAX_PATH];
static char		 keys_path[MAX_PATH];
static struct authd	 ad;
static struct sample	*samples;
static size_t		 nsamples;
static struct worker	*workers;
static atomic_bool	 stop_flag;
static int64_t		 win_start, win_end;	/* µs, monotonic */

static void
die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "bench_login: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	if (ad.pid > 0) {
		(void)kill(ad.pid, SIGTERM);
		(void)waitpid(ad.pid, NULL, 0);
	}
	exit(1);
}

static int64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);

	return ((int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000);
}

static void
sleep_us(int64_t us)
{
	struct timespec ts;

	ts.tv_sec = (time_t)(us / 1000000);
	ts.tv_nsec = (long)(us % 1000000) * 1000;
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void
path(char *dst, const char *a, const char *b)
{
	if ((size_t)snprintf(dst, MAX_PATH, "%s%s", a, b) >= MAX_PATH)
		die("path too long: %s%s", a, b);
}

/*
 * Unlocks st with the key file authd made next to the database on its
 * first start (base64url of 32 bytes and a newline): the users written
 * here have sealed display names, as authd's own.
 */
static void
unlock(struct store *st)
{
	unsigned char	 kek[STORE_KEY_LEN];
	char		 p[MAX_PATH], line[128];
	size_t		 len;
	FILE		*f;
	int		 e;

	path(p, db, ".kek");
	if ((f = fopen(p, "r")) == NULL || fgets(line, sizeof(line), f) ==
	    NULL)
		die("%s: %s", p, strerror(errno));
	fclose(f);
	line[strcspn(line, "\n")] = '\0';
	if (wa_b64url_decode(line, strlen(line), kek, sizeof(kek), &len) !=
	    WA_OK || len != sizeof(kek))
		die("%s: not a key-encryption key", p);
	if ((e = store_unlock(st, kek, (int64_t)time(NULL))) != STORE_OK)
		die("store_unlock %s: %s", db, store_strerr(e));
	OPENSSL_cleanse(kek, sizeof(kek));
	OPENSSL_cleanse(line, sizeof(line));
}

/* Copies file a to b (created 0600, replaced), and fsyncs it. */
static void
copy_file(const char *a, const char *b)
{
	char	 buf[1 << 16];
	ssize_t	 n;
	int	 in, out;

	if ((in = open(a, O_RDONLY)) < 0)
		die("%s: %s", a, strerror(errno));
	if ((out = open(b, O_WRONLY | O_CREAT | O_TRUNC, 0600)) < 0)
		die("%s: %s", b, strerror(errno));
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			die("%s: %s", b, strerror(errno));
	if (n < 0 || fsync(out) < 0 || close(out) < 0)
		die("copy %s: %s", a, strerror(errno));
	close(in);
}

/*
 * Every run starts from the database as populated (its copy, .base):
 * the sessions and audit entries of earlier runs would otherwise make
 * each run's database larger than the last, and the figures drift.
 */
static void
restore(void)
{
	char	 base[MAX_PATH], tmp[MAX_PATH];

	path(base, db, ".base");
	for (size_t i = 0; i < 2; i++) {
		path(tmp, db, i == 0 ? "-wal" : "-shm");
		if (unlink(tmp) < 0 && errno != ENOENT)
			die("unlink %s: %s", tmp, strerror(errno));
	}
	copy_file(base, db);
}

/* ---- setup without fsync ------------------------------------------ */

/*
 * A VFS that is the default one except that xSync does nothing, made
 * the default while the bulk is written.  Each file keeps its own
 * methods' behaviour: only the method table is swapped for a copy.
 */
static sqlite3_vfs		 nosync_vfs;
static sqlite3_vfs		*base_vfs;
static sqlite3_io_methods	 nosync_io[4];
static const sqlite3_io_methods	*nosync_orig[4];
static size_t			 nosync_n;

static int
nosync_sync(sqlite3_file *f, int flags)
{
	(void)f;
	(void)flags;

	return (SQLITE_OK);
}

static int
nosync_open(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *f,
    int flags, int *out_flags)
{
	int rc;

	(void)vfs;
	rc = base_vfs->xOpen(base_vfs, name, f, flags, out_flags);
	if (rc != SQLITE_OK || f->pMethods == NULL)
		return (rc);
	for (size_t i = 0; i < nosync_n; i++)
		if (nosync_orig[i] == f->pMethods) {
			f->pMethods = &nosync_io[i];
			return (rc);
		}
	if (nosync_n == sizeof(nosync_io) / sizeof(nosync_io[0]))
		return (rc);	/* an unexpected kind: keeps syncing */
	nosync_orig[nosync_n] = f->pMethods;
	nosync_io[nosync_n] = *f->pMethods;
	nosync_io[nosync_n].xSync = nosync_sync;
	f->pMethods = &nosync_io[nosync_n++];

	return (rc);
}

static void
nosync_begin(void)
{
	if ((base_vfs = sqlite3_vfs_find(NULL)) == NULL)
		die("sqlite3_vfs_find");
	nosync_vfs = *base_vfs;
	nosync_vfs.pNext = NULL;
	nosync_vfs.zName = "bench-nosync";
	nosync_vfs.xOpen = nosync_open;
	if (sqlite3_vfs_register(&nosync_vfs, 1) != SQLITE_OK)
		die("sqlite3_vfs_register");
}

static void
fsync_path(const char *p)
{
	int fd;

	if ((fd = open(p, O_RDONLY | O_CLOEXEC)) < 0)
		die("open %s: %s", p, strerror(errno));
	if (fsync(fd) < 0)
		die("fsync %s: %s", p, strerror(errno));
	close(fd);
}

/* Every connection is closed: the data goes to disk once, here. */
static void
nosync_end(void)
{
	if (sqlite3_vfs_register(base_vfs, 1) != SQLITE_OK ||
	    sqlite3_vfs_unregister(&nosync_vfs) != SQLITE_OK)
		die("sqlite3_vfs_register");
	fsync_path(db);
	fsync_path(dir);
}

/* ---- authd -------------------------------------------------------- */

static void
free_port(char *buf, size_t len)
{
	struct sockaddr_in	sin;
	socklen_t		sl = sizeof(sin);
	int			fd;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sin, &sl) < 0)
		die("free port: %s", strerror(errno));
	close(fd);
	snprintf(buf, len, "%u", (unsigned int)ntohs(sin.sin_port));
}

static struct hc_conn *
connect_authd(bool quiet)
{
	struct hc_opts	 o;
	struct hc_conn	*c = NULL;
	char		 err[256];

	memset(&o, 0, sizeof(o));
	o.host = "127.0.0.1";
	o.port = ad.port;
	if (hc_connect(&o, &c, err, sizeof(err)) != HC_OK) {
		if (!quiet)
			die("connect 127.0.0.1:%s: %s", ad.port, err);
		return (NULL);
	}

	return (c);
}

/* POST a JSON text; the status, or 0 on a transport error. */
static int
post(struct hc_conn *c, const char *p, const char *json, size_t len,
    struct hc_resp *resp)
{
	static const char *const hdr[] = {
		"Content-Type: application/json", NULL
	};

	if (hc_request(c, "POST", p, hdr, json, len, resp) != HC_OK)
		return (0);

	return (resp->status);
}

static void
authd_start(void)
{
	posix_spawn_file_actions_t	 fa;
	struct hc_conn			*c;
	struct hc_resp			 resp;
	char				 a_listen[64], a_origin[96];
	char				 a_db[MAX_PATH + 16], a_threads[32];
	char				 a_log[64];
	char				*argv[10];
	int64_t				 deadline;
	int				 r, st;

	free_port(ad.port, sizeof(ad.port));
	snprintf(ad.origin, sizeof(ad.origin), "http://localhost:%s",
	    ad.port);
	snprintf(a_listen, sizeof(a_listen), "--listen=127.0.0.1:%s",
	    ad.port);
	snprintf(a_origin, sizeof(a_origin), "--origins=%s", ad.origin);
	snprintf(a_db, sizeof(a_db), "--database=%s", db);
	snprintf(a_threads, sizeof(a_threads), "--threads=%ld",
	    opt.threads);
	snprintf(a_log, sizeof(a_log), "--log_level=%s", opt.log_level);
	argv[0] = authd_bin;
	argv[1] = a_listen;
	argv[2] = a_origin;
	argv[3] = a_db;
	argv[4] = a_threads;
	argv[5] = a_log;
	/* One address drives every sign-in: the load is not an attack. */
	argv[6] = (char *)(uintptr_t)"--rate_limit_ip=0";
	argv[7] = (char *)(uintptr_t)"--rate_limit_account=0";
	argv[8] = NULL;
	path(ad.out, dir, "/authd.out");
	path(ad.log, dir, "/authd.log");
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, ad.out,
	    O_WRONLY | O_CREAT | O_TRUNC, 0600);
	posix_spawn_file_actions_addopen(&fa, 2, ad.log,
	    O_WRONLY | O_CREAT | O_TRUNC, 0600);
	r = posix_spawn(&ad.pid, authd_bin, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (r != 0) {
		ad.pid = 0;
		die("spawn %s: %s", authd_bin, strerror(r));
	}
	/* Up when /healthz answers; no log line at log_level=warn. */
	memset(&resp, 0, sizeof(resp));
	for (deadline = now_us() + 15000000; now_us() < deadline;
	    sleep_us(20000)) {
		if (waitpid(ad.pid, &st, WNOHANG) == ad.pid) {
			ad.pid = 0;
			die("authd exited at start (status %d); see %s",
			    WIFEXITED(st) ? WEXITSTATUS(st) : -1, ad.log);
		}
		if ((c = connect_authd(true)) == NULL)
			continue;
		r = hc_request(c, "GET", "/healthz", NULL, NULL, 0, &resp);
		hc_close(&c);
		if (r == HC_OK && resp.status == 200) {
			hc_resp_free(&resp);
			return;
		}
	}
	die("authd did not answer /healthz within 15 s; see %s", ad.log);
}

static void
authd_stop(void)
{
	int64_t	deadline;
	int	st;

	if (ad.pid <= 0)
		return;
	(void)kill(ad.pid, SIGTERM);
	for (deadline = now_us() + 15000000; now_us() < deadline;
	    sleep_us(10000))
		if (waitpid(ad.pid, &st, WNOHANG) == ad.pid) {
			ad.pid = 0;
			if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
				die("authd exited with status %d; see %s",
				    WIFEXITED(st) ? WEXITSTATUS(st) : -1,
				    ad.log);
			return;
		}
	(void)kill(ad.pid, SIGKILL);
	(void)waitpid(ad.pid, NULL, 0);
	ad.pid = 0;
	die("authd did not stop within 15 s of SIGTERM");
}

/* A "Key:   123 kB" line of /proc/PID/status, in KiB; -1 if absent. */
static long
proc_kib(pid_t pid, const char *key)
{
	char	 p[64], line[256];
	FILE	*f;
	long	 v = -1;
	size_t	 klen = strlen(key);

	snprintf(p, sizeof(p), "/proc/%ld/status", (long)pid);
	if ((f = fopen(p, "r")) == NULL)
		return (-1);
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
			v = strtol(line + klen + 1, NULL, 10);
			break;
		}
	fclose(f);

	return (v);
}

/* User plus system CPU time of a process, in microseconds. */
static int64_t
proc_cpu_us(pid_t pid)
{
	char		 p[64], buf[2048], *s;
	FILE		*f;
	size_t		 n;
	unsigned long	 ut = 0, stime = 0;
	long		 hz = sysconf(_SC_CLK_TCK);

	snprintf(p, sizeof(p), "/proc/%ld/stat", (long)pid);
	if ((f = fopen(p, "r")) == NULL)
		return (-1);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* Fields 14 and 15, counted from the state after the name. */
	if ((s = strrchr(buf, ')')) == NULL || sscanf(s + 2, "%*c %*d %*d "
	    "%*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &stime) != 2 ||
	    hz <= 0)
		return (-1);

	return ((int64_t)(ut + stime) * 1000000 / hz);
}

/* Busy time of all CPUs (everything but idle and iowait), in µs. */
static int64_t
system_busy_us(void)
{
	unsigned long long	 v[8] = { 0 };
	FILE			*f;
	long			 hz = sysconf(_SC_CLK_TCK);
	int			 n;

	if ((f = fopen("/proc/stat", "r")) == NULL)
		return (-1);
	n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0],
	    &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
	fclose(f);
	if (n != 8 || hz <= 0)
		return (-1);

	return ((int64_t)(v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) *
	    1000000 / hz);
}

static int64_t
self_cpu_us(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);

	return ((int64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) *
	    1000000 + ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

/* ---- setup -------------------------------------------------------- */

/* The decoded base64url member at dotted path of a JSON text. */
static void
get_b64(const char *json, const char *p, unsigned char **out,
    size_t *len)
{
	if (sa_json_get_b64(json, p, out, len) != 0)
		die("no base64url %s in %s", p, json);
}

/*
 * The admin's passkey, over HTTP with authd's first-admin code: the
 * credential record authd writes is the template for the bulk.
 */
static void
register_admin(void)
{
	struct hc_conn		*c;
	struct hc_resp		 resp;
	struct sa_params	 p;
	struct sa_cred		*cred;
	unsigned char		*chal = NULL, *h = NULL;
	size_t			 chal_len, hl;
	char			 out[4096], req[256], code[128], *json, *s;
	int64_t			 deadline;
	FILE			*f;
	size_t			 n;
	int			 st;

	/* authd prints the code on stdout after it is up. */
	for (deadline = now_us() + 10000000;; sleep_us(20000)) {
		out[0] = '\0';
		if ((f = fopen(ad.out, "r")) != NULL) {
			n = fread(out, 1, sizeof(out) - 1, f);
			out[n] = '\0';
			fclose(f);
		}
		if ((s = strstr(out, "enroll?code=")) != NULL &&
		    strchr(s, '\n') != NULL)
			break;
		if (now_us() > deadline)
			die("no first-admin code in %s", ad.out);
	}
	if (sscanf(s + strlen("enroll?code="), "%127[A-Za-z0-9_-]",
	    code) != 1)
		die("malformed first-admin link in %s", ad.out);
	c = connect_authd(false);
	memset(&resp, 0, sizeof(resp));
	snprintf(req, sizeof(req), "{\"code\":\"%s\",\"label\":\"bench\"}",
	    code);
	if ((st = post(c, "/v1/registration/options", req, strlen(req),
	    &resp)) != 200)
		die("registration options: %d %s", st, resp.body);
	get_b64(resp.body, "challenge", &chal, &chal_len);
	get_b64(resp.body, "user.id", &h, &hl);
	if ((cred = sa_cred_new(WA_COSE_ES256)) == NULL)
		die("sa_cred_new");
	memset(&p, 0, sizeof(p));
	p.rp_id = RP_ID;
	p.origin = ad.origin;
	p.challenge = chal;
	p.challenge_len = chal_len;
	p.flags = FLAGS_UP_UV;
	p.fmt = "none";
	if ((json = sa_make_registration(cred, &p)) == NULL)
		die("sa_make_registration");
	if ((st = post(c, "/v1/registration/verify", json, strlen(json),
	    &resp)) != 201)
		die("registration verify: %d %s", st, resp.body);
	free(json);
	free(chal);
	free(h);
	sa_cred_free(&cred);
	hc_resp_free(&resp);
	hc_close(&c);
}

static int
first_cred(const struct store_cred *c, void *arg)
{
	struct store_cred *t = arg;

	if (t->id_len == 0)
		*t = *c;

	return (1);
}

static char *
b64(const unsigned char *p, size_t n)
{
	char *s;

	if ((s = wa_b64url_encode(p, n)) == NULL)
		die("wa_b64url_encode");

	return (s);
}

/* One line of keys.txt: name, user handle, credential id, private key. */
static void
write_key(FILE *f, const char *name, const unsigned char *handle,
    const struct sa_cred *cred)
{
	unsigned char	*der = NULL;
	char		*h, *id, *k;
	int		 n;

	if ((n = i2d_PrivateKey(sa_cred_pkey(cred), &der)) <= 0)
		die("i2d_PrivateKey");
	h = b64(handle, STORE_HANDLE_LEN);
	id = b64(sa_cred_id_ptr(cred), sa_cred_id_len(cred));
	k = b64(der, (size_t)n);
	fprintf(f, "%s %s %s %s\n", name, h, id, k);
	OPENSSL_clear_free(der, (size_t)n);
	free(h);
	free(id);
	OPENSSL_clear_free(k, strlen(k));
}

static void
populate(void)
{
	struct store		*st = NULL;
	static struct store_cred tmpl, cred;
	struct store_user	 u;
	struct sa_cred		*sc;
	unsigned char		 cer[STORE_CEREMONY_LEN];
	char			 name[MAX_NAME], display[64], tmp[MAX_PATH];
	char			 base[MAX_PATH];
	struct stat		 sb;
	const char		*suffix[] = { "", "-wal", "-shm", ".kek", ".base" };
	long			 stride = opt.users / opt.sample;
	int64_t			 t0 = now_us(), now, pruned = 0;
	FILE			*f;
	int			 e, fd;

	fprintf(stderr, "bench_login: populating %s with %ld users "
	    "(once; later runs reuse it)\n", db, opt.users);
	(void)unlink(keys_path);
	for (size_t i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
		path(tmp, db, suffix[i]);
		if (unlink(tmp) < 0 && errno != ENOENT)
			die("unlink %s: %s", tmp, strerror(errno));
	}
	authd_start();
	register_admin();
	authd_stop();

	nosync_begin();
	if ((e = store_open(db, &st)) != STORE_OK)
		die("store_open %s: %s", db, store_strerr(e));
	unlock(st);
	memset(&tmpl, 0, sizeof(tmpl));
	if ((e = store_cred_list(st, 0, first_cred, &tmpl)) != STORE_OK ||
	    tmpl.id_len == 0)
		die("no credential after the admin's registration");
	path(tmp, keys_path, ".tmp");
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) < 0 || (f = fdopen(fd, "w")) == NULL)
		die("%s: %s", tmp, strerror(errno));
	fprintf(f, "%s users=%ld sample=%ld\n", KEYS_MAGIC, opt.users,
	    opt.sample);
	for (long i = 0; i < opt.users; i++) {
		now = (int64_t)time(NULL);
		snprintf(name, sizeof(name), "bench-courier-%06ld", i);
		snprintf(display, sizeof(display), "Bench Courier %ld", i);
		if ((e = store_user_ensure(st, name, STORE_ROLE_COURIER,
		    display, now, &u)) != STORE_OK)
			die("store_user_ensure %s: %s", name,
			    store_strerr(e));
		if ((sc = sa_cred_new(WA_COSE_ES256)) == NULL)
			die("sa_cred_new");
		/* As the registration route fills it, from the template. */
		cred = tmpl;
		memcpy(cred.id, sa_cred_id_ptr(sc), sa_cred_id_len(sc));
		cred.id_len = sa_cred_id_len(sc);
		cred.user_id = u.id;
		memcpy(cred.cose_key, sa_cred_cose_ptr(sc),
		    sa_cred_cose_len(sc));
		cred.cose_key_len = sa_cred_cose_len(sc);
		cred.alg = WA_COSE_ES256;
		cred.sign_count = 0;
		cred.created = now;
		cred.last_used = 0;
		if (RAND_bytes(cer, sizeof(cer)) != 1)
			die("RAND_bytes");
		if ((e = store_cred_register(st, cer, now + 60, NULL, now,
		    &cred)) != STORE_OK)
			die("store_cred_register %s: %s", name,
			    store_strerr(e));
		if (i % stride == 0 && i / stride < opt.sample)
			write_key(f, name, u.handle, sc);
		sa_cred_free(&sc);
		if (i > 0 && i % 10000 == 0)
			fprintf(stderr, "bench_login: %ld users, %.0f s\n", i,
			    (double)(now_us() - t0) / 1e6);
	}
	/*
	 * The setup's ceremony rows would otherwise be pruned, four per
	 * login, by the first load run 7 minutes later: a clock that far
	 * ahead deletes them now.  authd is stopped, so no live ceremony
	 * is touched.
	 */
	if ((e = store_prune(st, (int64_t)time(NULL) + 60 +
	    STORE_CEREMONY_GRACE + 1, &pruned)) != STORE_OK)
		die("store_prune: %s", store_strerr(e));
	store_close(&st);
	nosync_end();
	/* The last connection's close checkpointed the WAL away. */
	path(base, db, "-wal");
	if (stat(base, &sb) == 0 && sb.st_size > 0)
		die("%s: not checkpointed", base);
	path(base, db, ".base");
	copy_file(db, base);
	if (fflush(f) != 0 || fsync(fileno(f)) < 0 || fclose(f) != 0)
		die("%s: %s", tmp, strerror(errno));
	if (rename(tmp, keys_path) < 0)
		die("rename %s: %s", tmp, strerror(errno));
	fprintf(stderr, "bench_login: populated in %.1f s\n",
	    (double)(now_us() - t0) / 1e6);
}

/*
 * Whether keys.txt says the database holds what is asked for, and its
 * key-encryption key is there (a database from before encryption at
 * rest has none: it is populated again).
 */
static bool
populated(void)
{
	char	 line[256], want[256], kek[MAX_PATH], base[MAX_PATH];
	FILE	*f;
	bool	 ok;

	if ((f = fopen(keys_path, "r")) == NULL)
		return (false);
	snprintf(want, sizeof(want), "%s users=%ld sample=%ld\n",
	    KEYS_MAGIC, opt.users, opt.sample);
	path(kek, db, ".kek");
	path(base, db, ".base");
	ok = fgets(line, sizeof(line), f) != NULL && strcmp(line, want) == 0 &&
	    access(base, R_OK) == 0 && access(kek, R_OK) == 0;
	fclose(f);

	return (ok);
}

static void
decode(const char *s, unsigned char *dst, size_t max, size_t *len)
{
	if (wa_b64url_decode(s, strlen(s), dst, max, len) != WA_OK)
		die("%s: bad base64url", keys_path);
}

/*
 * The sample's keys, and each credential's stored counter: the next
 * login presents more than any earlier run did.
 */
static void
load_samples(void)
{
	struct store		*st = NULL;
	static struct store_cred c;
	FILE			*f;
	EVP_PKEY		*pk;
	const unsigned char	*pp;
	unsigned char		 id[64], der[512];
	char			 line[1024], name[MAX_NAME], h[64];
	char			 ids[128], ks[800];
	size_t			 len;
	int			 e;

	if ((samples = calloc((size_t)opt.sample, sizeof(*samples))) == NULL)
		die("out of memory");
	if ((f = fopen(keys_path, "r")) == NULL ||
	    fgets(line, sizeof(line), f) == NULL)
		die("%s: %s", keys_path, strerror(errno));
	if ((e = store_open(db, &st)) != STORE_OK)
		die("store_open %s: %s", db, store_strerr(e));
	unlock(st);
	while (nsamples < (size_t)opt.sample &&
	    fgets(line, sizeof(line), f) != NULL) {
		struct sample *s = &samples[nsamples];

		if (sscanf(line, "%64s %63s %127s %799s", name, h, ids,
		    ks) != 4)
			die("%s: malformed line", keys_path);
		snprintf(s->name, sizeof(s->name), "%s", name);
		decode(h, s->handle, sizeof(s->handle), &len);
		if (len != STORE_HANDLE_LEN)
			die("%s: bad user handle", keys_path);
		decode(ks, der, sizeof(der), &len);
		pp = der;
		if ((pk = d2i_AutoPrivateKey(NULL, &pp, (long)len)) == NULL ||
		    (s->cred = sa_cred_from_pkey(WA_COSE_ES256, pk)) == NULL)
			die("%s: bad private key", keys_path);
		EVP_PKEY_free(pk);
		OPENSSL_cleanse(der, sizeof(der));
		decode(ids, id, sizeof(id), &len);
		if (sa_cred_set_id(s->cred, id, len) < 0)
			die("sa_cred_set_id");
		if ((e = store_cred_get(st, id, len, &c)) != STORE_OK)
			die("credential of %s: %s; run with --repopulate",
			    name, store_strerr(e));
		s->count = c.sign_count;
		nsamples++;
	}
	fclose(f);
	store_close(&st);
	if (nsamples != (size_t)opt.sample)
		die("%s: %zu keys, want %ld", keys_path, nsamples, opt.sample);
}

/* ---- load --------------------------------------------------------- */

static void
lat_add(struct lat *l, int64_t us)
{
	uint32_t *nv;

	if (l->n == l->cap) {
		l->cap = l->cap == 0 ? 4096 : l->cap * 2;
		if ((nv = realloc(l->v, l->cap * sizeof(*nv))) == NULL)
			die("out of memory");
		l->v = nv;
	}
	l->v[l->n++] = us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
}

static void
worker_error(struct worker *w, const char *what, int st,
    const struct hc_resp *resp)
{
	w->errors++;
	if (w->first_err[0] == '\0')
		snprintf(w->first_err, sizeof(w->first_err), "%s: %d %.160s",
		    what, st, st != 0 && resp->body != NULL ? resp->body :
		    hc_errmsg(w->conn));
}

/*
 * The challenge of an options response, found without a JSON parser:
 * the client's CPU is the server's too.  authd writes compact JSON.
 */
static int
challenge_of(const char *body, unsigned char *dst, size_t max,
    size_t *len)
{
	static const char	 key[] = "\"challenge\":\"";
	const char		*p, *e;

	if ((p = strstr(body, key)) == NULL)
		return (-1);
	p += sizeof(key) - 1;
	if ((e = strchr(p, '"')) == NULL ||
	    wa_b64url_decode(p, (size_t)(e - p), dst, max, len) != WA_OK)
		return (-1);

	return (0);
}

/* One login; true if it produced an access token. */
static bool
login(struct worker *w, struct sample *s, struct hc_resp *resp,
    int64_t *t_opt, int64_t *t_ver)
{
	struct sa_params	 p;
	unsigned char		 chal[WA_MAX_CHALLENGE];
	size_t			 chal_len;
	char			 req[128], *json;
	const char		*tok;
	int64_t			 t0 = now_us(), t1;
	int			 st, n;

	n = snprintf(req, sizeof(req), "{\"username\":\"%s\"}", s->name);
	if ((st = post(w->conn, "/v1/authentication/options", req,
	    (size_t)n, resp)) != 200) {
		worker_error(w, "options", st, resp);
		return (false);
	}
	if (challenge_of(resp->body, chal, sizeof(chal), &chal_len) != 0) {
		worker_error(w, "options: no challenge", st, resp);
		return (false);
	}
	t1 = now_us();
	*t_opt = t1 - t0;
	memset(&p, 0, sizeof(p));
	p.rp_id = RP_ID;
	p.origin = ad.origin;
	p.challenge = chal;
	p.challenge_len = chal_len;
	p.flags = FLAGS_UP_UV;
	p.sign_count = s->count + 1;
	p.user_handle = s->handle;
	p.user_handle_len = sizeof(s->handle);
	if ((json = sa_make_assertion(s->cred, &p)) == NULL)
		die("sa_make_assertion");
	st = post(w->conn, "/v1/authentication/verify", json, strlen(json),
	    resp);
	free(json);
	*t_ver = now_us() - t1;
	/* A counter the server may have stored moves on either way. */
	s->count++;
	if (st != 200) {
		worker_error(w, "verify", st, resp);
		return (false);
	}
	/* A JWT: three base64url parts. */
	if ((tok = strstr(resp->body, "\"access_token\":\"")) == NULL ||
	    strncmp(tok + 16, "eyJ", 3) != 0) {
		worker_error(w, "verify: no access token", st, resp);
		return (false);
	}

	return (true);
}

static void *
worker_main(void *arg)
{
	struct worker	*w = arg;
	struct hc_resp	 resp;
	size_t		 next = w->idx;
	int64_t		 t0, t1, t_opt, t_ver, sched = 0, gap = 0;

	memset(&resp, 0, sizeof(resp));
	/* --rate: this client's share, phases spread over the clients. */
	if (opt.rate > 0) {
		gap = (int64_t)((double)opt.clients * 1e6 / opt.rate);
		sched = now_us() + gap * (int64_t)w->idx / opt.clients;
	}
	while (!atomic_load(&stop_flag)) {
		t0 = now_us();
		if (opt.rate > 0) {
			/*
			 * Latency counts from the scheduled start, so a
			 * login that waits behind a slow one is not
			 * forgiven (no coordinated omission).
			 */
			if (sched > t0)
				sleep_us(sched - t0);
			t0 = sched;
			sched += gap;
		}
		if (!login(w, &samples[next], &resp, &t_opt, &t_ver)) {
			/* A broken connection is reopened by httpc. */
			if (w->errors > 1000)
				break;
			continue;
		}
		t1 = now_us();
		if (t1 >= win_start && t1 <= win_end) {
			lat_add(&w->login, t1 - t0);
			lat_add(&w->opt, t_opt);
			lat_add(&w->ver, t_ver);
		}
		next += (size_t)opt.clients;
		if (next >= nsamples)
			next = w->idx;
	}
	hc_resp_free(&resp);

	return (NULL);
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x < y ? -1 : x > y);
}

/* Nearest-rank percentile q of the merged, sorted set, in ms. */
static double
pct(const struct lat *l, double q)
{
	size_t i;

	if (l->n == 0)
		return (0);
	i = (size_t)(q * (double)l->n + 0.999999);
	if (i > 0)
		i--;
	if (i >= l->n)
		i = l->n - 1;

	return ((double)l->v[i] / 1000.0);
}

/* Which latency of a worker: 0 login, 1 options, 2 verify. */
static const struct lat *
lat_of(const struct worker *w, int which)
{
	return (which == 0 ? &w->login : which == 1 ? &w->opt : &w->ver);
}

static void
merge(struct lat *dst, int which)
{
	memset(dst, 0, sizeof(*dst));
	for (size_t i = 0; i < (size_t)opt.clients; i++) {
		const struct lat *l = lat_of(&workers[i], which);

		for (size_t j = 0; j < l->n; j++)
			lat_add(dst, l->v[j]);
	}
	if (dst->n > 0)
		qsort(dst->v, dst->n, sizeof(dst->v[0]), cmp_u32);
}

static pid_t
perf_start(void)
{
	char	 a_pid[32], a_secs[32], *argv[12];
	pid_t	 pid;
	int	 r;

	snprintf(a_pid, sizeof(a_pid), "%ld", (long)ad.pid);
	snprintf(a_secs, sizeof(a_secs), "%.1f", opt.duration);
	argv[0] = (char *)(uintptr_t)"perf";
	argv[1] = (char *)(uintptr_t)"record";
	argv[2] = (char *)(uintptr_t)"-g";
	argv[3] = (char *)(uintptr_t)"-q";
	argv[4] = (char *)(uintptr_t)"-o";
	argv[5] = (char *)(uintptr_t)opt.perf;
	argv[6] = (char *)(uintptr_t)"-p";
	argv[7] = a_pid;
	argv[8] = (char *)(uintptr_t)"--";
	argv[9] = (char *)(uintptr_t)"sleep";
	argv[10] = a_secs;
	argv[11] = NULL;
	if ((r = posix_spawnp(&pid, "perf", NULL, NULL, argv, environ)) != 0)
		die("spawn perf: %s", strerror(r));

	return (pid);
}

struct result {
	double		 rate;
	double		 mean, p50, p99, p999, max;
	double		 opt_p50, opt_p99, ver_p50, ver_p99;
	double		 hwm_mib, rss_mib;
	unsigned long	 errors;
	double		 srv_cpu_us, cli_cpu_us;	/* per login */
	double		 srv_cores, cli_cores, other_cores;
	size_t		 logins;
};

static void
load(struct result *res)
{
	struct lat	 all;
	int64_t		 s_cpu0, s_cpu1, c_cpu0, c_cpu1, a_cpu0, a_cpu1;
	int64_t		 t;
	pid_t		 perf = 0;
	long		 kib;
	int		 r;

	if ((workers = calloc((size_t)opt.clients, sizeof(*workers))) ==
	    NULL)
		die("out of memory");
	for (size_t i = 0; i < (size_t)opt.clients; i++) {
		workers[i].idx = i;
		workers[i].conn = connect_authd(false);
	}
	t = now_us();
	win_start = t + (int64_t)(opt.warmup * 1e6);
	win_end = win_start + (int64_t)(opt.duration * 1e6);
	for (size_t i = 0; i < (size_t)opt.clients; i++)
		if ((r = pthread_create(&workers[i].tid, NULL, worker_main,
		    &workers[i])) != 0)
			die("pthread_create: %s", strerror(r));
	sleep_us(win_start - now_us());
	s_cpu0 = proc_cpu_us(ad.pid);
	c_cpu0 = self_cpu_us();
	a_cpu0 = system_busy_us();
	if (opt.perf != NULL)
		perf = perf_start();
	sleep_us(win_end - now_us());
	s_cpu1 = proc_cpu_us(ad.pid);
	c_cpu1 = self_cpu_us();
	a_cpu1 = system_busy_us();
	atomic_store(&stop_flag, true);
	for (size_t i = 0; i < (size_t)opt.clients; i++)
		pthread_join(workers[i].tid, NULL);
	if (perf > 0)
		(void)waitpid(perf, NULL, 0);

	memset(res, 0, sizeof(*res));
	for (size_t i = 0; i < (size_t)opt.clients; i++) {
		res->errors += workers[i].errors;
		if (workers[i].first_err[0] != '\0')
			fprintf(stderr, "bench_login: client %zu: %s\n", i,
			    workers[i].first_err);
	}
	merge(&all, 0);
	res->logins = all.n;
	res->rate = (double)all.n / opt.duration;
	for (size_t i = 0; i < all.n; i++)
		res->mean += (double)all.v[i];
	if (all.n > 0)
		res->mean /= (double)all.n * 1000.0;
	res->p50 = pct(&all, 0.50);
	res->p99 = pct(&all, 0.99);
	res->p999 = pct(&all, 0.999);
	res->max = pct(&all, 1.0);
	free(all.v);
	merge(&all, 1);
	res->opt_p50 = pct(&all, 0.50);
	res->opt_p99 = pct(&all, 0.99);
	free(all.v);
	merge(&all, 2);
	res->ver_p50 = pct(&all, 0.50);
	res->ver_p99 = pct(&all, 0.99);
	free(all.v);
	kib = proc_kib(ad.pid, "VmHWM");
	res->hwm_mib = (double)kib / 1024.0;
	kib = proc_kib(ad.pid, "VmRSS");
	res->rss_mib = (double)kib / 1024.0;
	res->srv_cores = (double)(s_cpu1 - s_cpu0) / (opt.duration * 1e6);
	res->cli_cores = (double)(c_cpu1 - c_cpu0) / (opt.duration * 1e6);
	res->other_cores = (double)(a_cpu1 - a_cpu0) / (opt.duration * 1e6) -
	    res->srv_cores - res->cli_cores;
	if (res->other_cores < 0)
		res->other_cores = 0;
	if (res->logins > 0) {
		res->srv_cpu_us = (double)(s_cpu1 - s_cpu0) /
		    (double)res->logins;
		res->cli_cpu_us = (double)(c_cpu1 - c_cpu0) /
		    (double)res->logins;
	}
	for (size_t i = 0; i < (size_t)opt.clients; i++) {
		hc_close(&workers[i].conn);
		free(workers[i].login.v);
		free(workers[i].opt.v);
		free(workers[i].ver.v);
	}
	free(workers);
	workers = NULL;
}

/* ---- crypto floor ------------------------------------------------- */

/*
 * Per login, the least authd must compute: SHA-256 of clientDataJSON,
 * ECDSA P-256 verify over authenticatorData || hash, Ed25519 sign of
 * the token's signing input.  Keys are decoded and the digest fetched
 * once.  Returns logins per second on one core.
 */
static double
crypto_floor(double secs)
{
	EVP_PKEY	*ec, *pub, *ed;
	EVP_MD_CTX	*mc;
	EVP_MD		*sha;
	unsigned char	 msg[37 + 32], sig[128], edsig[64], jwt[480];
	unsigned char	*spki = NULL;
	const unsigned char *pp;
	char		 cdj[256];
	size_t		 sig_len = sizeof(sig), edsig_len, cdj_len;
	unsigned int	 hl;
	int		 spki_len;
	unsigned long	 n = 0;
	int64_t		 t0, el;

	cdj_len = (size_t)snprintf(cdj, sizeof(cdj), "{\"type\":\"webauthn."
	    "get\",\"challenge\":\"%086d\",\"origin\":\"http://localhost:8080"
	    "\",\"crossOrigin\":false}", 0);
	memset(msg, 0x5a, sizeof(msg));
	memset(jwt, 'e', sizeof(jwt));
	if ((sha = EVP_MD_fetch(NULL, "SHA256", NULL)) == NULL ||
	    (mc = EVP_MD_CTX_new()) == NULL ||
	    (ec = EVP_EC_gen("P-256")) == NULL ||
	    (ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519")) == NULL ||
	    (spki_len = i2d_PUBKEY(ec, &spki)) <= 0)
		die("crypto floor: key setup");
	pp = spki;
	if ((pub = d2i_PUBKEY(NULL, &pp, spki_len)) == NULL ||
	    EVP_Digest(cdj, cdj_len, msg + 37, &hl, sha, NULL) != 1 ||
	    EVP_DigestSignInit_ex(mc, NULL, "SHA256", NULL, NULL, ec,
	    NULL) != 1 ||
	    EVP_DigestSign(mc, sig, &sig_len, msg, sizeof(msg)) != 1)
		die("crypto floor: sign");
	t0 = now_us();
	do {
		for (int i = 0; i < 32; i++) {
			edsig_len = sizeof(edsig);
			if (EVP_Digest(cdj, cdj_len, msg + 37, &hl, sha,
			    NULL) != 1 ||
			    EVP_MD_CTX_reset(mc) != 1 ||
			    EVP_DigestVerifyInit_ex(mc, NULL, "SHA256", NULL,
			    NULL, pub, NULL) != 1 ||
			    EVP_DigestVerify(mc, sig, sig_len, msg,
			    sizeof(msg)) != 1 ||
			    EVP_MD_CTX_reset(mc) != 1 ||
			    EVP_DigestSignInit_ex(mc, NULL, NULL, NULL, NULL,
			    ed, NULL) != 1 ||
			    EVP_DigestSign(mc, edsig, &edsig_len, jwt,
			    sizeof(jwt)) != 1)
				die("crypto floor: verify");
		}
		n += 32;
		el = now_us() - t0;
	} while ((double)el < secs * 1e6);
	EVP_MD_CTX_free(mc);
	EVP_MD_free(sha);
	EVP_PKEY_free(ec);
	EVP_PKEY_free(pub);
	EVP_PKEY_free(ed);
	OPENSSL_free(spki);

	return ((double)n / ((double)el / 1e6));
}

/* ---- main --------------------------------------------------------- */

static void
usage(void)
{
	fprintf(stderr, "usage: bench_login [--users=N] [--sample=N] "
	    "[--clients=N] [--threads=N]\n"
	    "    [--rate=N] [--warmup=S] [--duration=S] [--log-level=L]\n"
	    "    [--perf=FILE] [--repopulate] [--strict]\n");
	exit(2);
}

static long
num(const char *s, long min, long max)
{
	char	*end;
	long	 v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		usage();

	return (v);
}

static double
secs(const char *s)
{
	char	*end;
	double	 v = strtod(s, &end);

	if (*end != '\0' || !(v >= 0 && v <= 3600))
		usage();

	return (v);
}

static double
rate(const char *s)
{
	char	*end;
	double	 v = strtod(s, &end);

	if (*end != '\0' || !(v >= 1 && v <= 1e6))
		usage();

	return (v);
}

static void
parse_args(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = strchr(a, '=');

		v = v != NULL ? v + 1 : "";
		if (strncmp(a, "--users=", 8) == 0)
			opt.users = num(v, 1, 10000000);
		else if (strncmp(a, "--sample=", 9) == 0)
			opt.sample = num(v, 1, 1000000);
		else if (strncmp(a, "--clients=", 10) == 0)
			opt.clients = num(v, 1, 4096);
		else if (strncmp(a, "--threads=", 10) == 0)
			opt.threads = num(v, 1, 8192);
		else if (strncmp(a, "--rate=", 7) == 0)
			opt.rate = rate(v);
		else if (strncmp(a, "--warmup=", 9) == 0)
			opt.warmup = secs(v);
		else if (strncmp(a, "--duration=", 11) == 0)
			opt.duration = secs(v);
		else if (strncmp(a, "--log-level=", 12) == 0)
			opt.log_level = v;
		else if (strncmp(a, "--perf=", 7) == 0)
			opt.perf = v;
		else if (strcmp(a, "--repopulate") == 0)
			opt.repopulate = true;
		else if (strcmp(a, "--strict") == 0)
			opt.strict = true;
		else
			usage();
	}
	if (opt.sample > opt.users || opt.clients > opt.sample ||
	    opt.duration < 1)
		usage();
	if (opt.threads == 0)
		opt.threads = opt.clients + 32;
}

/* BUILD is three levels above BUILD/tests/bench/bench_login. */
static void
find_paths(const char *argv0)
{
	char		 build[MAX_PATH];
	const char	*e, *s;

	snprintf(build, sizeof(build), "build");
	if ((s = strstr(argv0, "/tests/bench/")) != NULL &&
	    (size_t)(s - argv0) < sizeof(build))
		snprintf(build, sizeof(build), "%.*s", (int)(s - argv0),
		    argv0);
	if ((e = getenv("BENCH_AUTHD")) != NULL && *e != '\0')
		snprintf(authd_bin, sizeof(authd_bin), "%s", e);
	else
		path(authd_bin, build, "/authd");
	if ((e = getenv("BENCH_DIR")) != NULL && *e != '\0')
		snprintf(dir, sizeof(dir), "%s", e);
	else
		path(dir, build, "/bench");
	path(db, dir, "/bench.db");
	path(keys_path, dir, "/keys.txt");
	if (access(authd_bin, X_OK) < 0)
		die("%s: %s (build it with make)", authd_bin, strerror(errno));
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		die("mkdir %s: %s", dir, strerror(errno));
}

static const char *
verdict(bool ok)
{
	return (ok ? "ok" : "MISS");
}

int
main(int argc, char **argv)
{
	struct result	 r;
	double		 floor1;
	long		 ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	bool		 ok_rate, ok_p99, ok_rss;

	parse_args(argc, argv);
	find_paths(argv[0]);
	signal(SIGPIPE, SIG_IGN);
	if (ncpu < 1)
		ncpu = 1;
	if (opt.repopulate || !populated())
		populate();
	restore();
	load_samples();

	floor1 = crypto_floor(1.0);
	authd_start();
	fprintf(stderr, "bench_login: authd pid %ld on port %s; %ld clients, "
	    "%.1f s warm-up, %.1f s measured\n", (long)ad.pid, ad.port,
	    opt.clients, opt.warmup, opt.duration);
	load(&r);
	authd_stop();

	ok_rate = r.rate >= TARGET_RATE;
	ok_p99 = r.p99 <= TARGET_P99_MS;
	ok_rss = r.hwm_mib <= TARGET_RSS_MIB;
	printf("\nauthd login benchmark: %ld credentials, %ld clients "
	    "(keep-alive), %ld threads,\n  log_level=%s, %.0f s measured "
	    "after %.0f s warm-up, %ld CPUs shared by client and server\n",
	    opt.users, opt.clients, opt.threads, opt.log_level, opt.duration,
	    opt.warmup, ncpu);
	if (opt.rate > 0)
		printf("  open loop: %.0f logins/s offered\n\n", opt.rate);
	else
		printf("  closed loop: mean latency = clients / "
		    "throughput\n\n");
	printf("  %-34s %12s %12s\n", "", "measured", "target");
	printf("  %-34s %12.0f %12s  %s\n", "logins/s", r.rate, ">= 3000",
	    verdict(ok_rate));
	printf("  %-34s %12.2f\n", "login mean (ms)", r.mean);
	printf("  %-34s %12.2f\n", "login p50 (ms)", r.p50);
	printf("  %-34s %12.2f %12s  %s\n", "login p99 (ms)", r.p99, "<= 20",
	    verdict(ok_p99));
	printf("  %-34s %12.2f\n", "login p99.9 (ms)", r.p999);
	printf("  %-34s %12.2f\n", "login max (ms)", r.max);
	printf("  %-34s %6.2f %5.2f\n", "  options p50 / p99 (ms)",
	    r.opt_p50, r.opt_p99);
	printf("  %-34s %6.2f %5.2f\n", "  verify p50 / p99 (ms)",
	    r.ver_p50, r.ver_p99);
	printf("  %-34s %12.1f %12s  %s\n", "authd peak RSS, VmHWM (MiB)",
	    r.hwm_mib, "<= 64", verdict(ok_rss));
	printf("  %-34s %12.1f\n", "authd RSS at end (MiB)", r.rss_mib);
	printf("  %-34s %12lu %12s  %s\n", "errors", r.errors, "0",
	    verdict(r.errors == 0));
	printf("  %-34s %12.0f\n", "authd CPU per login (us)", r.srv_cpu_us);
	printf("  %-34s %12.0f\n", "client CPU per login (us)",
	    r.cli_cpu_us);
	printf("  %-34s %5.2f %5.2f %5.2f\n", "CPUs busy: authd, client, other",
	    r.srv_cores, r.cli_cores, r.other_cores);
	if (r.srv_cpu_us + r.cli_cpu_us > 0)
		printf("  %-34s %12.0f\n", "CPU-bound ceiling (logins/s)",
		    (double)ncpu * 1e6 / (r.srv_cpu_us + r.cli_cpu_us));
	printf("  %-34s %12.0f\n", "crypto floor, 1 core (logins/s)",
	    floor1);
	printf("  %-34s %12.0f\n", "crypto floor, all CPUs (logins/s)",
	    floor1 * (double)ncpu);
	printf("  %-34s %12.3f\n", "measured / floor (all CPUs)",
	    r.rate / (floor1 * (double)ncpu));
	if (r.other_cores > 0.1)
		printf("\n  warning: other processes used %.2f CPUs during the "
		    "run; the figures are\n  low by about that share\n",
		    r.other_cores);
	printf("\n");
	fflush(stdout);
	if (r.errors != 0 || r.logins == 0)
		return (1);
	if (opt.strict && (!ok_rate || !ok_p99 || !ok_rss))
		return (1);

	return (0);
}
