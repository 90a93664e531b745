/*
 * authctl_token.c: `authctl token verify`, which checks a JWT the way a
 * tracking service does: offline, against the issuer's JWK Set, read
 * from a file or fetched over HTTP(S).  The verdict goes to standard
 * output as one JSON object.  Exit status: 0 valid, 1 invalid, 2 usage,
 * I/O or key-set error.
 *
 * The fetcher is a minimal HTTP/1.1 GET client: one request, no
 * redirects, no proxy, "Connection: close", a deadline for the whole
 * exchange and a cap on the response.  Over https it verifies the
 * server's certificate chain (system store or --cafile) and name, and
 * refuses a body whose end it cannot prove (a TLS truncation).
 */
#include <sys/socket.h>
#include <sys/types.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "authd/authctl.h"
#include "authd/token.h"

#define DEFAULT_LEEWAY	30
#define DEFAULT_TIMEOUT	10
#define MAX_TIMEOUT	300
#define MAX_URL		2048
#define MAX_HOST	255
#define MAX_HEADERS	(16 * 1024)
#define MAX_RESPONSE	(MAX_HEADERS + 2 * TOKEN_MAX_JWKS)
#define REQUEST_FMT	"GET %s HTTP/1.1\r\nHost: %s\r\n" \
			"User-Agent: authctl\r\n" \
			"Accept: application/jwk-set+json, " \
			"application/json\r\n" \
			"Connection: close\r\n\r\n"

static const char token_usage[] =
"usage: authctl token verify --jwks URL|FILE --aud AUDIENCE [--iss ISSUER]\n"
"           [--typ TYPE] [--leeway SECONDS] [--at RFC3339_TIME]\n"
"           [--cafile PEM_FILE] [--timeout SECONDS] TOKEN|-\n"
"\n"
"Verifies a JWT (an RFC 9068 access token by default) offline against\n"
"the issuer's JWK Set, as a tracking service would, and prints its\n"
"claims as one JSON object, or {\"valid\":false, \"error\", \"message\"}.\n"
"\n"
"--jwks    a file, or an http:// or https:// URL fetched with one GET\n"
"          (no redirects, no proxy, --timeout seconds in all, default\n"
"          10); https verifies the server's certificate and name against\n"
"          the system trust store, or against --cafile if given.\n"
"--aud     required; the aud claim (a string or an array) must hold it.\n"
"--iss     the iss claim must equal it.  Without --iss the issuer is\n"
"          NOT checked and a warning goes to standard error: pass it\n"
"          whenever a key set might sign for another issuer.\n"
"--typ     the header typ required (default at+jwt; delivery receipts\n"
"          are delivery-receipt+jwt).  Token types never overlap.\n"
"--leeway  clock skew allowed for exp, nbf and iat (default 30, at\n"
"          most 600 seconds).  --at verifies as of that time.\n"
"\n"
"The header must name alg EdDSA or ES256, and a kid whose key is pinned\n"
"to that alg; headers with jku, jwk, x5u, x5c or crit are refused.  exp\n"
"and sub are required.  TOKEN '-' reads the token from standard input,\n"
"which keeps it out of the process list.\n"
"Exit status: 0 valid, 1 invalid, 2 usage, I/O or key-set error.\n";

struct url {
	bool	tls;
	char	host[MAX_HOST + 1];	/* without brackets */
	bool	ip;			/* host is an IP literal */
	char	port[6];
	char	hostport[MAX_HOST + 9];	/* for the Host header */
	char	path[MAX_URL + 1];
};

struct conn {
	int		 fd;
	SSL_CTX		*ctx;
	SSL		*ssl;
	struct timespec	 deadline;
};

static int usage_error(const char *, ...)
    __attribute__((format(printf, 1, 2)));
static int fetch_error(const char *, ...)
    __attribute__((format(printf, 1, 2)));

static int
usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "authctl: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n%s", token_usage);

	return (2);
}

static int
fetch_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "authctl: --jwks: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);

	return (-1);
}

static bool
url_is_remote(const char *s)
{
	return (strncasecmp(s, "http://", 7) == 0 ||
	    strncasecmp(s, "https://", 8) == 0);
}

/*
 * http[s]://host[:port][/path][?query][#fragment], host a DNS name or an
 * IP literal ([v6]).  No user info, nothing that could end the request
 * line or a header early.
 */
static int
url_parse(const char *s, struct url *u)
{
	const char	*p, *end, *h;
	size_t		 hl;
	long		 port;
	char		*ep;

	memset(u, 0, sizeof(*u));
	if (strlen(s) > MAX_URL)
		return (fetch_error("URL longer than %d bytes", MAX_URL));
	if (strncasecmp(s, "https://", 8) == 0) {
		u->tls = true;
		p = s + 8;
	} else
		p = s + 7;
	for (const char *q = s; *q != '\0'; q++)
		if ((unsigned char)*q <= ' ' || (unsigned char)*q >= 0x7f)
			return (fetch_error("URL holds a space or control "
			    "character"));
	end = p + strcspn(p, "/?#");
	if (memchr(p, '@', (size_t)(end - p)) != NULL)
		return (fetch_error("URL with user info refused"));
	h = p;
	if (*p == '[') {
		if ((p = memchr(p, ']', (size_t)(end - p))) == NULL)
			return (fetch_error("bad IPv6 literal in URL"));
		h++;
		hl = (size_t)(p - h);
		p++;
		u->ip = true;
	} else {
		p = h + strcspn(h, ":/?#");
		hl = (size_t)(p - h);
	}
	if (hl == 0 || hl > MAX_HOST)
		return (fetch_error("bad host in URL"));
	memcpy(u->host, h, hl);
	for (size_t i = 0; i < hl; i++)
		if (!(isalnum((unsigned char)u->host[i]) ||
		    u->host[i] == '-' || u->host[i] == '.' ||
		    (u->ip && (u->host[i] == ':'))))
			return (fetch_error("bad host in URL"));
	if (!u->ip) {
		struct in_addr a4;

		u->ip = inet_pton(AF_INET, u->host, &a4) == 1;
	} else {
		struct in6_addr a6;

		if (inet_pton(AF_INET6, u->host, &a6) != 1)
			return (fetch_error("bad IPv6 literal in URL"));
	}
	if (*p == ':') {
		errno = 0;
		port = strtol(p + 1, &ep, 10);
		if (!isdigit((unsigned char)p[1]) || ep != end ||
		    errno != 0 || port < 1 || port > 65535)
			return (fetch_error("bad port in URL"));
	} else if (p != end)
		return (fetch_error("bad host in URL"));
	else
		port = u->tls ? 443 : 80;
	snprintf(u->port, sizeof(u->port), "%ld", port);
	snprintf(u->hostport, sizeof(u->hostport), "%s%s%s%s%s",
	    u->ip && strchr(u->host, ':') != NULL ? "[" : "", u->host,
	    u->ip && strchr(u->host, ':') != NULL ? "]" : "",
	    port == (u->tls ? 443 : 80) ? "" : ":",
	    port == (u->tls ? 443 : 80) ? "" : u->port);
	/* The fragment stays with the client. */
	snprintf(u->path, sizeof(u->path), "%s%.*s", *end == '/' ? "" : "/",
	    (int)strcspn(end, "#"), end);

	return (0);
}

/* Milliseconds left before the deadline; 0 once it has passed. */
static int
remaining_ms(const struct conn *c)
{
	struct timespec	now;
	long long	ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (long long)(c->deadline.tv_sec - now.tv_sec) * 1000 +
	    (c->deadline.tv_nsec - now.tv_nsec) / 1000000;

	return (ms <= 0 ? 0 : ms > INT_MAX ? INT_MAX : (int)ms);
}

/* Blocking reads and writes may not outlast the deadline either. */
static int
conn_arm(const struct conn *c)
{
	struct timeval	tv;
	int		ms;

	if ((ms = remaining_ms(c)) == 0)
		return (fetch_error("timed out"));
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	if (setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
	    setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0)
		return (fetch_error("setsockopt: %s", strerror(errno)));

	return (0);
}

/* Connects to one address within the deadline; the fd or -1. */
static int
connect_one(const struct conn *c, const struct addrinfo *ai)
{
	struct pollfd	pfd;
	socklen_t	len = sizeof(int);
	int		fd, flags, err = 0;

	if ((fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
	    ai->ai_protocol)) < 0)
		return (-1);
	if ((flags = fcntl(fd, F_GETFL)) < 0 ||
	    fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
		goto fail;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		if (errno != EINPROGRESS)
			goto fail;
		pfd.fd = fd;
		pfd.events = POLLOUT;
		if (poll(&pfd, 1, remaining_ms(c)) != 1 ||
		    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0 ||
		    err != 0) {
			errno = err != 0 ? err : ETIMEDOUT;
			goto fail;
		}
	}
	if (fcntl(fd, F_SETFL, flags) < 0)
		goto fail;

	return (fd);
fail:
	err = errno;
	close(fd);
	errno = err;

	return (-1);
}

static int
conn_open(struct conn *c, const struct url *u, const char *cafile)
{
	struct addrinfo	 hints, *res = NULL;
	int		 e;
	long		 vr;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = u->ip ? AI_NUMERICHOST : 0;
	if ((e = getaddrinfo(u->host, u->port, &hints, &res)) != 0)
		return (fetch_error("%s: %s", u->host, gai_strerror(e)));
	errno = ETIMEDOUT;
	for (const struct addrinfo *ai = res; ai != NULL && c->fd < 0 &&
	    remaining_ms(c) > 0; ai = ai->ai_next)
		c->fd = connect_one(c, ai);
	freeaddrinfo(res);
	if (c->fd < 0)
		return (fetch_error("connect to %s port %s: %s", u->host,
		    u->port, strerror(errno)));
	if (!u->tls)
		return (0);

	if ((c->ctx = SSL_CTX_new(TLS_client_method())) == NULL ||
	    SSL_CTX_set_min_proto_version(c->ctx, TLS1_2_VERSION) != 1)
		return (fetch_error("TLS setup failed"));
	SSL_CTX_set_verify(c->ctx, SSL_VERIFY_PEER, NULL);
	if ((cafile != NULL ? SSL_CTX_load_verify_locations(c->ctx, cafile,
	    NULL) : SSL_CTX_set_default_verify_paths(c->ctx)) != 1)
		return (fetch_error("cannot load trust anchors%s%s",
		    cafile != NULL ? " from " : "",
		    cafile != NULL ? cafile : ""));
	if ((c->ssl = SSL_new(c->ctx)) == NULL ||
	    SSL_set_fd(c->ssl, c->fd) != 1)
		return (fetch_error("TLS setup failed"));
	/* The certificate must name the host we asked for. */
	if (u->ip) {
		if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(c->ssl),
		    u->host) != 1)
			return (fetch_error("TLS setup failed"));
	} else if (SSL_set_tlsext_host_name(c->ssl, u->host) != 1 ||
	    SSL_set1_host(c->ssl, u->host) != 1)
		return (fetch_error("TLS setup failed"));
	if (conn_arm(c) < 0)
		return (-1);
	if (SSL_connect(c->ssl) != 1) {
		vr = SSL_get_verify_result(c->ssl);
		if (vr != X509_V_OK)
			return (fetch_error("%s: certificate not trusted: %s",
			    u->host, X509_verify_cert_error_string(vr)));
		return (fetch_error("%s: TLS handshake failed%s", u->host,
		    errno == EAGAIN || errno == EWOULDBLOCK ?
		    " (timed out)" : ""));
	}

	return (0);
}

static void
conn_close(struct conn *c)
{
	SSL_free(c->ssl);
	SSL_CTX_free(c->ctx);
	if (c->fd >= 0)
		close(c->fd);
	ERR_clear_error();
}

static int
conn_write(struct conn *c, const char *buf, size_t len)
{
	ssize_t	n;
	int	w;

	while (len > 0) {
		if (conn_arm(c) < 0)
			return (-1);
		if (c->ssl != NULL) {
			if ((w = SSL_write(c->ssl, buf, len > INT_MAX ?
			    INT_MAX : (int)len)) <= 0)
				return (fetch_error("TLS write failed"));
			n = w;
		} else if ((n = send(c->fd, buf, len, MSG_NOSIGNAL)) < 0) {
			if (errno == EINTR)
				continue;
			return (fetch_error("send: %s", errno == EAGAIN ?
			    "timed out" : strerror(errno)));
		}
		buf += n;
		len -= (size_t)n;
	}

	return (0);
}

/*
 * Reads until the server closes, at most max bytes.  *clean says the
 * close was orderly: for TLS, a close_notify; without it an attacker
 * could cut the body short.
 */
static int
conn_read_all(struct conn *c, char *buf, size_t max, size_t *len,
    bool *clean)
{
	ssize_t	n;
	int	r, e;

	*len = 0;
	*clean = false;
	for (;;) {
		if (*len == max)
			return (fetch_error("response larger than %zu bytes",
			    max));
		if (conn_arm(c) < 0)
			return (-1);
		if (c->ssl != NULL) {
			r = SSL_read(c->ssl, buf + *len, (int)(max - *len));
			if (r > 0) {
				*len += (size_t)r;
				continue;
			}
			e = SSL_get_error(c->ssl, r);
			if (e == SSL_ERROR_ZERO_RETURN)
				*clean = true;
			else if (e == SSL_ERROR_WANT_READ ||
			    e == SSL_ERROR_WANT_WRITE || (e ==
			    SSL_ERROR_SYSCALL && (errno == EAGAIN ||
			    errno == EWOULDBLOCK)))
				return (fetch_error("timed out"));
			/* Else cut short: the framing must prove the end. */
			return (0);
		}
		if ((n = recv(c->fd, buf + *len, max - *len, 0)) < 0) {
			if (errno == EINTR)
				continue;
			return (fetch_error("recv: %s", errno == EAGAIN ?
			    "timed out" : strerror(errno)));
		}
		if (n == 0) {
			*clean = true;
			return (0);
		}
		*len += (size_t)n;
	}
}

/* memmem(3), which POSIX lacks. */
static char *
find(char *hay, size_t n, const char *needle, size_t m)
{
	for (size_t i = 0; m <= n && i <= n - m; i++)
		if (memcmp(hay + i, needle, m) == 0)
			return (hay + i);

	return (NULL);
}

/* RFC 9112 §7.1: chunked body, decoded in place. */
static int
dechunk(char *body, size_t len, size_t *out_len)
{
	size_t		 o = 0, i = 0, sz;
	const char	*eol;
	char		*ep;

	for (;;) {
		if ((eol = find(body + i, len - i, "\r\n", 2)) == NULL ||
		    !isxdigit((unsigned char)body[i]))
			return (fetch_error("malformed chunked body"));
		errno = 0;
		sz = (size_t)strtoull(body + i, &ep, 16);
		if (errno != 0 || sz > TOKEN_MAX_JWKS ||
		    (ep != eol && *ep != ';' && *ep != ' ' && *ep != '\t'))
			return (fetch_error("malformed chunked body"));
		i = (size_t)(eol - body) + 2;
		if (sz == 0)
			break;
		if (len - i < sz + 2 || memcmp(body + i + sz, "\r\n", 2) != 0)
			return (fetch_error("chunked body cut short"));
		memmove(body + o, body + i, sz);
		o += sz;
		i += sz + 2;
		if (o > TOKEN_MAX_JWKS)
			return (fetch_error("JWK Set larger than %d bytes",
			    TOKEN_MAX_JWKS));
	}
	/* Trailer fields, then the empty line. */
	for (;;) {
		if ((eol = find(body + i, len - i, "\r\n", 2)) == NULL)
			return (fetch_error("chunked body cut short"));
		if (eol == body + i)
			break;
		i = (size_t)(eol - body) + 2;
	}
	*out_len = o;

	return (0);
}

/* Status 200, then the body by its framing (RFC 9112 §6.3). */
static int
http_body(char *resp, size_t len, bool clean, char **body, size_t *blen)
{
	char		*hend, *line, *eol, *v, *ep;
	size_t		 n;
	long long	 cl = -1, c;
	bool		 chunked = false;
	int		 status;

	if ((hend = find(resp, len < MAX_HEADERS ? len : MAX_HEADERS,
	    "\r\n\r\n", 4)) == NULL)
		return (fetch_error("no complete HTTP response header"));
	*hend = '\0';
	if (strncmp(resp, "HTTP/1.", 7) != 0 || (resp[7] != '0' &&
	    resp[7] != '1') || resp[8] != ' ' ||
	    !isdigit((unsigned char)resp[9]) ||
	    !isdigit((unsigned char)resp[10]) ||
	    !isdigit((unsigned char)resp[11]) ||
	    (resp[12] != ' ' && resp[12] != '\r'))
		return (fetch_error("not an HTTP/1.x response"));
	status = (resp[9] - '0') * 100 + (resp[10] - '0') * 10 +
	    (resp[11] - '0');
	if (status != 200)
		return (fetch_error("HTTP status %d%s", status,
		    status / 100 == 3 ? " (redirects are not followed)" : ""));
	for (line = strstr(resp, "\r\n"); line != NULL; line = eol) {
		line += 2;
		if ((eol = strstr(line, "\r\n")) != NULL)
			*eol = '\0';
		if ((v = strchr(line, ':')) == NULL)
			continue;
		*v++ = '\0';
		v += strspn(v, " \t");
		if (strcasecmp(line, "Content-Length") == 0) {
			errno = 0;
			c = strtoll(v, &ep, 10);
			if (!isdigit((unsigned char)*v) || errno != 0 ||
			    (*ep != '\0' && *ep != ' ' && *ep != '\t') ||
			    (cl >= 0 && c != cl))
				return (fetch_error("bad Content-Length"));
			cl = c;
		} else if (strcasecmp(line, "Transfer-Encoding") == 0) {
			if (strncasecmp(v, "chunked", 7) != 0 ||
			    (v[7] != '\0' && v[7] != ' ' && v[7] != '\t'))
				return (fetch_error("unsupported "
				    "Transfer-Encoding %s", v));
			chunked = true;
		}
		if (eol != NULL)
			*eol = '\r';
	}
	*body = hend + 4;
	n = len - (size_t)(*body - resp);
	if (chunked)
		return (dechunk(*body, n, blen));
	if (cl >= 0) {
		if ((unsigned long long)cl > n)
			return (fetch_error("body cut short (%zu of %lld "
			    "bytes)", n, cl));
		*blen = (size_t)cl;
		return (0);
	}
	/* Only an orderly close marks the end of an unframed body. */
	if (!clean)
		return (fetch_error("connection closed uncleanly"));
	*blen = n;

	return (0);
}

/* GET url; the body in *out (malloc'd, NUL-terminated). */
static int
fetch(const char *s, const char *cafile, int timeout, unsigned char **out,
    size_t *out_len)
{
	struct url	 u;
	struct conn	 c;
	char		*req = NULL, *resp = NULL, *body = NULL;
	size_t		 len, blen = 0;
	bool		 clean;
	int		 n, r = -1;

	*out = NULL;
	memset(&c, 0, sizeof(c));
	c.fd = -1;
	clock_gettime(CLOCK_MONOTONIC, &c.deadline);
	c.deadline.tv_sec += timeout;
	if (url_parse(s, &u) < 0)
		goto fail;
	len = strlen(u.path) + strlen(u.hostport) + sizeof(REQUEST_FMT);
	if ((req = malloc(len)) == NULL ||
	    (n = snprintf(req, len, REQUEST_FMT, u.path, u.hostport)) < 0 ||
	    (size_t)n >= len) {
		fetch_error("out of memory");
		goto fail;
	}
	if ((resp = malloc(MAX_RESPONSE + 1)) == NULL) {
		fetch_error("out of memory");
		goto fail;
	}
	if (conn_open(&c, &u, cafile) < 0 ||
	    conn_write(&c, req, (size_t)n) < 0 ||
	    conn_read_all(&c, resp, MAX_RESPONSE, &len, &clean) < 0 ||
	    http_body(resp, len, clean, &body, &blen) < 0)
		goto fail;
	if (blen > TOKEN_MAX_JWKS) {
		fetch_error("JWK Set larger than %d bytes", TOKEN_MAX_JWKS);
		goto fail;
	}
	memmove(resp, body, blen);
	resp[blen] = '\0';
	*out = (unsigned char *)resp;
	*out_len = blen;
	resp = NULL;

	r = 0;
fail:
	conn_close(&c);
	free(req);
	free(resp);

	return (r);
}

static int
parse_uint(const char *s, long max, long *out)
{
	char *ep;

	errno = 0;
	*out = strtol(s, &ep, 10);

	return (*s == '\0' || *ep != '\0' || errno != 0 || *out < 0 ||
	    *out > max ? -1 : 0);
}

enum {
	OPT_JWKS = 256, OPT_AUD, OPT_ISS, OPT_TYP, OPT_LEEWAY, OPT_AT,
	OPT_CAFILE, OPT_TIMEOUT, OPT_HELP,
};

static const struct option verify_opts[] = {
	{ "jwks", required_argument, NULL, OPT_JWKS },
	{ "aud", required_argument, NULL, OPT_AUD },
	{ "iss", required_argument, NULL, OPT_ISS },
	{ "typ", required_argument, NULL, OPT_TYP },
	{ "leeway", required_argument, NULL, OPT_LEEWAY },
	{ "at", required_argument, NULL, OPT_AT },
	{ "cafile", required_argument, NULL, OPT_CAFILE },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

static int
emit(json_t *o)
{
	char *s;

	if (o == NULL || (s = json_dumps(o, JSON_COMPACT)) == NULL)
		return (-1);
	puts(s);
	free(s);

	return (fflush(stdout) == 0 ? 0 : -1);
}

static int
verify_cmd(int argc, char **argv)
{
	struct token_keyset	*ks = NULL;
	const char		*jwks = NULL, *aud = NULL, *iss = NULL;
	const char		*typ = TOKEN_TYP_AT, *cafile = NULL, *tok;
	unsigned char		*doc = NULL, *in = NULL;
	json_t			*claims = NULL, *out = NULL;
	size_t			 doc_len, tok_len;
	int64_t			 now = (int64_t)time(NULL);
	long			 leeway = DEFAULT_LEEWAY;
	long			 timeout = DEFAULT_TIMEOUT;
	int			 c, r, status;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", verify_opts, NULL)) != -1) {
		switch (c) {
		case OPT_JWKS:
			jwks = optarg;
			break;
		case OPT_AUD:
			aud = optarg;
			break;
		case OPT_ISS:
			iss = optarg;
			break;
		case OPT_TYP:
			typ = optarg;
			break;
		case OPT_LEEWAY:
			if (parse_uint(optarg, TOKEN_MAX_LEEWAY, &leeway) < 0)
				return (usage_error("--leeway %s: 0 to %d "
				    "seconds", optarg, TOKEN_MAX_LEEWAY));
			break;
		case OPT_AT:
			if (authctl_parse_time(optarg, &now) < 0)
				return (usage_error("--at %s: not an RFC 3339 "
				    "time", optarg));
			break;
		case OPT_CAFILE:
			cafile = optarg;
			break;
		case OPT_TIMEOUT:
			if (parse_uint(optarg, MAX_TIMEOUT, &timeout) < 0 ||
			    timeout == 0)
				return (usage_error("--timeout %s: 1 to %d "
				    "seconds", optarg, MAX_TIMEOUT));
			break;
		case OPT_HELP:
			fputs(token_usage, stdout);
			return (0);
		default:
			fputs(token_usage, stderr);
			return (2);
		}
	}
	if (optind != argc - 1)
		return (usage_error("%s", optind == argc ? "TOKEN is required" :
		    "exactly one TOKEN"));
	if (jwks == NULL || *jwks == '\0' || aud == NULL || *aud == '\0')
		return (usage_error("%s", "--jwks and --aud are required"));
	if (*typ == '\0' || (iss != NULL && *iss == '\0'))
		return (usage_error("%s", "empty --typ or --iss"));
	if (cafile != NULL && strncasecmp(jwks, "https://", 8) != 0)
		return (usage_error("%s", "--cafile needs an https --jwks"));

	tok = argv[optind];
	tok_len = strlen(tok);
	if (strcmp(tok, "-") == 0) {
		/* One byte over the cap still reads as too large. */
		if (authctl_read_all(NULL, TOKEN_MAX_JWT + 64, &in,
		    &tok_len) < 0) {
			if (errno == EFBIG) {
				tok_len = TOKEN_MAX_JWT + 1;
				tok = "";
			} else {
				fprintf(stderr, "authctl: reading standard "
				    "input: %s\n", strerror(errno));
				status = 2;
				goto done;
			}
		} else {
			while (tok_len > 0 && isspace(in[tok_len - 1]))
				tok_len--;
			tok = (const char *)in;
		}
	}

	if (url_is_remote(jwks)) {
		signal(SIGPIPE, SIG_IGN);
		if (fetch(jwks, cafile, (int)timeout, &doc, &doc_len) < 0) {
			status = 2;
			goto done;
		}
	} else if (authctl_read_all(jwks, TOKEN_MAX_JWKS, &doc,
	    &doc_len) < 0) {
		fprintf(stderr, "authctl: --jwks %s: %s\n", jwks,
		    errno == EFBIG ? "larger than the JWK Set cap" :
		    strerror(errno));
		status = 2;
		goto done;
	}
	if ((ks = token_keyset_new()) == NULL) {
		status = 2;
		goto done;
	}
	if ((r = token_keyset_add_jwks(ks, (const char *)doc,
	    doc_len)) != TOKEN_OK) {
		fprintf(stderr, "authctl: --jwks %s: %s\n", jwks,
		    token_strerr(r));
		status = 2;
		goto done;
	}
	if (token_keyset_count(ks) == 0) {
		fprintf(stderr, "authctl: --jwks %s: no EdDSA or ES256 "
		    "signing key with a kid\n", jwks);
		status = 2;
		goto done;
	}
	if (iss == NULL)
		fprintf(stderr, "authctl: warning: no --iss: the issuer "
		    "was not checked\n");

	if (tok_len > TOKEN_MAX_JWT)
		r = TOKEN_ERR_TOO_LARGE;
	else
		r = token_verify(tok, tok_len, ks, typ, iss, aud, now, leeway,
		    &claims);
	if (r == TOKEN_OK) {
		status = emit(claims) == 0 ? 0 : 2;
		goto done;
	}
	out = json_pack("{s:b, s:s, s:s}", "valid", 0, "error",
	    token_errname(r), "message", token_strerr(r));
	status = emit(out) == 0 ? 1 : 2;
done:
	json_decref(claims);
	json_decref(out);
	token_keyset_free(&ks);
	free(doc);
	free(in);

	return (status);
}

int
authctl_token(int argc, char **argv)
{
	if (argc < 2)
		return (usage_error("%s", "token: which command?"));
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		fputs(token_usage, stdout);
		return (0);
	}
	if (strcmp(argv[1], "verify") == 0)
		return (verify_cmd(argc - 1, argv + 1));

	return (usage_error("token: unknown command '%s'", argv[1]));
}
