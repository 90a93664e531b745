/*
 * httpc.c: a minimal HTTP/1.1 client over one keep-alive connection (see
 * httpc.h).  The socket is non-blocking and every wait goes through
 * poll(2) with the connection's timeout, for plain TCP and for TLS alike.
 * Responses are framed by Content-Length, by chunked transfer coding, or
 * by the end of the connection, and every part of them has a cap.
 */
#include <sys/socket.h>
#include <sys/types.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "httpc.h"

#define RBUF_LEN	16384
#define MAX_LINE	1024	/* chunk size lines and trailers */
#define INLINE_BODY_MAX	16384	/* bodies sent with their head */

struct hc_conn {
	char		*host;
	char		*port;
	char		*cafile;
	char		*tls_name;
	char		*ciphers;
	struct hc_opts	 opts;		/* strings above, not the caller's */
	int		 fd;
	SSL_CTX		*ctx;
	SSL		*ssl;
	bool		 used;		/* a request went over this socket */
	unsigned int	 nconnects;
	unsigned char	 rbuf[RBUF_LEN];
	size_t		 rpos, rlen;
	char		 err[256];
};

static const char *const errnames[] = {
	"ok", "invalid argument", "out of memory", "cannot connect",
	"TLS failure", "I/O error", "timeout", "malformed response",
	"response too large",
};

const char *
hc_strerr(int e)
{
	if (e < 0 || (size_t)e >= sizeof(errnames) / sizeof(errnames[0]))
		return ("unknown error");

	return (errnames[e]);
}

static int seterr(struct hc_conn *, int, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static int
seterr(struct hc_conn *c, int e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);

	return (e);
}

/* The OpenSSL error queue as one line, appended to c->err. */
static void
ssl_errs(struct hc_conn *c)
{
	unsigned long	l;
	size_t		n;

	while ((l = ERR_get_error()) != 0) {
		n = strlen(c->err);
		if (n + 4 >= sizeof(c->err))
			continue;
		snprintf(c->err + n, sizeof(c->err) - n, ": ");
		ERR_error_string_n(l, c->err + n + 2, sizeof(c->err) - n - 2);
	}
}

static void
disconnect(struct hc_conn *c)
{
	if (c->ssl != NULL) {
		(void)SSL_shutdown(c->ssl);
		SSL_free(c->ssl);
		c->ssl = NULL;
	}
	if (c->fd >= 0) {
		close(c->fd);
		c->fd = -1;
	}
	c->rpos = c->rlen = 0;
	c->used = false;
}

/* Waits until fd is ready for events; HC_OK or HC_ERR_TIMEOUT/IO. */
static int
wait_fd(struct hc_conn *c, short events)
{
	struct pollfd	pfd;
	int		r;

	pfd.fd = c->fd;
	pfd.events = events;
	pfd.revents = 0;
	do
		r = poll(&pfd, 1, c->opts.timeout_ms);
	while (r < 0 && errno == EINTR);
	if (r == 0)
		return (seterr(c, HC_ERR_TIMEOUT, "timed out after %d ms",
		    c->opts.timeout_ms));
	if (r < 0)
		return (seterr(c, HC_ERR_IO, "poll: %s", strerror(errno)));

	return (HC_OK);
}

static int
tcp_connect(struct hc_conn *c)
{
	struct addrinfo	 hints, *res = NULL, *ai;
	socklen_t	 len;
	int		 e, fd = -1, soerr, one = 1, r = HC_ERR_CONNECT;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((e = getaddrinfo(c->host, c->port, &hints, &res)) != 0)
		return (seterr(c, HC_ERR_CONNECT, "%s:%s: %s", c->host,
		    c->port, gai_strerror(e)));
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if ((fd = socket(ai->ai_family, ai->ai_socktype |
		    SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol)) < 0)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		soerr = errno;
		if (errno == EINPROGRESS) {
			c->fd = fd;
			len = sizeof(soerr);
			if ((e = wait_fd(c, POLLOUT)) != HC_OK)
				soerr = ETIMEDOUT;
			else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr,
			    &len) != 0)
				soerr = errno;
			c->fd = -1;
			if (soerr == 0) {
				c->fd = fd;
				break;
			}
		}
		(void)seterr(c, HC_ERR_CONNECT, "connect %s:%s: %s", c->host,
		    c->port, strerror(soerr));
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		return (c->err[0] != '\0' ? r : seterr(c, r, "connect %s:%s",
		    c->host, c->port));
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	c->fd = fd;

	return (HC_OK);
}

static bool
is_ip(const char *s)
{
	unsigned char buf[sizeof(struct in6_addr)];

	return (inet_pton(AF_INET, s, buf) == 1 ||
	    inet_pton(AF_INET6, s, buf) == 1);
}

static int
tls_ctx(struct hc_conn *c)
{
	if ((c->ctx = SSL_CTX_new(TLS_client_method())) == NULL)
		goto fail;
	if (c->opts.tls_min_version != 0 && SSL_CTX_set_min_proto_version(
	    c->ctx, c->opts.tls_min_version) != 1)
		goto fail;
	if (c->opts.tls_max_version != 0 && SSL_CTX_set_max_proto_version(
	    c->ctx, c->opts.tls_max_version) != 1)
		goto fail;
	if (c->ciphers != NULL && SSL_CTX_set_cipher_list(c->ctx,
	    c->ciphers) != 1)
		goto fail;
	SSL_CTX_set_options(c->ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
	if (c->opts.tls_insecure_noverify)
		SSL_CTX_set_verify(c->ctx, SSL_VERIFY_NONE, NULL);
	else {
		SSL_CTX_set_verify(c->ctx, SSL_VERIFY_PEER, NULL);
		if (c->cafile != NULL ? SSL_CTX_load_verify_locations(c->ctx,
		    c->cafile, NULL) != 1 :
		    SSL_CTX_set_default_verify_paths(c->ctx) != 1)
			goto fail;
	}

	return (HC_OK);
fail:
	(void)seterr(c, HC_ERR_TLS, "TLS setup");
	ssl_errs(c);

	return (HC_ERR_TLS);
}

static int
tls_handshake(struct hc_conn *c)
{
	const char	*name = c->tls_name != NULL ? c->tls_name : c->host;
	X509_VERIFY_PARAM *vp;
	int		 r, e;
	long		 v;

	if ((c->ssl = SSL_new(c->ctx)) == NULL ||
	    SSL_set_fd(c->ssl, c->fd) != 1)
		goto fail;
	if (!c->opts.tls_insecure_noverify) {
		vp = SSL_get0_param(c->ssl);
		if (is_ip(name)) {
			if (X509_VERIFY_PARAM_set1_ip_asc(vp, name) != 1)
				goto fail;
		} else if (SSL_set1_host(c->ssl, name) != 1)
			goto fail;
	}
	if (!is_ip(name) && SSL_set_tlsext_host_name(c->ssl, name) != 1)
		goto fail;
	for (;;) {
		ERR_clear_error();
		if ((r = SSL_connect(c->ssl)) == 1)
			return (HC_OK);
		e = SSL_get_error(c->ssl, r);
		if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
			if ((r = wait_fd(c, e == SSL_ERROR_WANT_READ ?
			    POLLIN : POLLOUT)) != HC_OK)
				return (r);
			continue;
		}
		break;
	}
fail:
	(void)seterr(c, HC_ERR_TLS, "TLS handshake with %s:%s", c->host,
	    c->port);
	if (c->ssl != NULL && (v = SSL_get_verify_result(c->ssl)) !=
	    X509_V_OK) {
		size_t n = strlen(c->err);

		snprintf(c->err + n, sizeof(c->err) - n, ": certificate: %s",
		    X509_verify_cert_error_string(v));
	}
	ssl_errs(c);

	return (HC_ERR_TLS);
}

static int
reconnect(struct hc_conn *c)
{
	int r;

	disconnect(c);
	c->err[0] = '\0';
	if ((r = tcp_connect(c)) != HC_OK)
		return (r);
	c->nconnects++;
	if (c->opts.tls && (r = tls_handshake(c)) != HC_OK) {
		disconnect(c);
		return (r);
	}

	return (HC_OK);
}

static char *
dup_or_null(const char *s, bool *ok)
{
	char *d;

	if (s == NULL)
		return (NULL);
	if ((d = strdup(s)) == NULL)
		*ok = false;

	return (d);
}

int
hc_connect(const struct hc_opts *o, struct hc_conn **conn, char *err,
    size_t errlen)
{
	struct hc_conn	*c;
	bool		 ok = true;
	int		 r;

	*conn = NULL;
	if (o == NULL || o->host == NULL || o->port == NULL) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "host and port are required");
		return (HC_ERR_ARG);
	}
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return (HC_ERR_NOMEM);
	c->fd = -1;
	c->opts = *o;
	c->host = dup_or_null(o->host, &ok);
	c->port = dup_or_null(o->port, &ok);
	c->cafile = dup_or_null(o->tls_cafile, &ok);
	c->tls_name = dup_or_null(o->tls_name, &ok);
	c->ciphers = dup_or_null(o->tls_ciphers, &ok);
	c->opts.host = c->host;
	c->opts.port = c->port;
	c->opts.tls_cafile = c->cafile;
	c->opts.tls_name = c->tls_name;
	c->opts.tls_ciphers = c->ciphers;
	if (c->opts.timeout_ms <= 0)
		c->opts.timeout_ms = HC_DEFAULT_TIMEOUT_MS;
	if (c->opts.max_body == 0)
		c->opts.max_body = HC_DEFAULT_MAX_BODY;
	if (!ok)
		r = HC_ERR_NOMEM;
	else if (c->opts.tls && (r = tls_ctx(c)) != HC_OK)
		;
	else
		r = reconnect(c);
	if (r != HC_OK) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "%s", c->err[0] != '\0' ?
			    c->err : hc_strerr(r));
		hc_close(&c);
		return (r);
	}
	*conn = c;

	return (HC_OK);
}

void
hc_close(struct hc_conn **cp)
{
	struct hc_conn *c;

	if (cp == NULL || (c = *cp) == NULL)
		return;
	disconnect(c);
	SSL_CTX_free(c->ctx);
	free(c->host);
	free(c->port);
	free(c->cafile);
	free(c->tls_name);
	free(c->ciphers);
	free(c);
	*cp = NULL;
}

int
hc_tls_version(const struct hc_conn *c)
{
	return (c->ssl != NULL ? SSL_version(c->ssl) : 0);
}

const char *
hc_errmsg(const struct hc_conn *c)
{
	return (c->err);
}

unsigned int
hc_nconnects(const struct hc_conn *c)
{
	return (c->nconnects);
}

/*
 * Whether an idle keep-alive connection is still usable: the server
 * may have closed it (keep-alive timeout) or sent something unasked.
 * TLS 1.3 session tickets arrive after the handshake; SSL_peek()
 * consumes them without reporting data.
 */
static bool
idle_alive(struct hc_conn *c)
{
	struct pollfd	pfd;
	unsigned char	b;
	ssize_t		n;
	int		r;

	if (c->fd < 0 || c->rpos != c->rlen)
		return (false);
	pfd.fd = c->fd;
	pfd.events = POLLIN;
	pfd.revents = 0;
	if (poll(&pfd, 1, 0) == 0)
		return (true);
	if (c->ssl != NULL) {
		ERR_clear_error();
		r = SSL_peek(c->ssl, &b, 1);
		return (r <= 0 && SSL_get_error(c->ssl, r) ==
		    SSL_ERROR_WANT_READ);
	}
	n = recv(c->fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);

	return (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK));
}

static int
io_write(struct hc_conn *c, const void *buf, size_t len)
{
	const unsigned char	*p = buf;
	ssize_t			 n;
	int			 r, e;

	while (len > 0) {
		if (c->ssl != NULL) {
			ERR_clear_error();
			r = SSL_write(c->ssl, p, len > INT32_MAX ? INT32_MAX :
			    (int)len);
			if (r > 0) {
				p += r;
				len -= (size_t)r;
				continue;
			}
			e = SSL_get_error(c->ssl, r);
			if (e == SSL_ERROR_WANT_READ ||
			    e == SSL_ERROR_WANT_WRITE) {
				if ((r = wait_fd(c, e == SSL_ERROR_WANT_READ ?
				    POLLIN : POLLOUT)) != HC_OK)
					return (r);
				continue;
			}
			(void)seterr(c, HC_ERR_IO, "SSL_write");
			ssl_errs(c);
			return (HC_ERR_IO);
		}
		n = send(c->fd, p, len, MSG_NOSIGNAL);
		if (n > 0) {
			p += n;
			len -= (size_t)n;
		} else if (n < 0 && (errno == EAGAIN ||
		    errno == EWOULDBLOCK)) {
			if ((r = wait_fd(c, POLLOUT)) != HC_OK)
				return (r);
		} else if (n < 0 && errno == EINTR)
			continue;
		else
			return (seterr(c, HC_ERR_IO, "send: %s",
			    n < 0 ? strerror(errno) : "nothing sent"));
	}

	return (HC_OK);
}

/* Refills rbuf.  HC_OK with c->rlen > 0, HC_ERR_IO at EOF (with *eof). */
static int
fill(struct hc_conn *c, bool *eof)
{
	ssize_t	n;
	int	r, e;

	*eof = false;
	c->rpos = c->rlen = 0;
	for (;;) {
		if (c->ssl != NULL) {
			ERR_clear_error();
			r = SSL_read(c->ssl, c->rbuf, sizeof(c->rbuf));
			if (r > 0) {
				c->rlen = (size_t)r;
				return (HC_OK);
			}
			e = SSL_get_error(c->ssl, r);
			if (e == SSL_ERROR_WANT_READ ||
			    e == SSL_ERROR_WANT_WRITE) {
				if ((r = wait_fd(c, e == SSL_ERROR_WANT_READ ?
				    POLLIN : POLLOUT)) != HC_OK)
					return (r);
				continue;
			}
			if (e == SSL_ERROR_ZERO_RETURN ||
			    (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0)) {
				*eof = true;
				return (seterr(c, HC_ERR_IO, "connection "
				    "closed by the server"));
			}
			(void)seterr(c, HC_ERR_IO, "SSL_read");
			ssl_errs(c);
			return (HC_ERR_IO);
		}
		n = recv(c->fd, c->rbuf, sizeof(c->rbuf), 0);
		if (n > 0) {
			c->rlen = (size_t)n;
			return (HC_OK);
		}
		if (n == 0) {
			*eof = true;
			return (seterr(c, HC_ERR_IO, "connection closed by "
			    "the server"));
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return (seterr(c, HC_ERR_IO, "recv: %s",
			    strerror(errno)));
		if ((r = wait_fd(c, POLLIN)) != HC_OK)
			return (r);
	}
}

static int
get_byte(struct hc_conn *c, unsigned char *b, bool *eof)
{
	int r;

	if (c->rpos == c->rlen && (r = fill(c, eof)) != HC_OK)
		return (r);
	*b = c->rbuf[c->rpos++];

	return (HC_OK);
}

/* Appends len bytes to the body, growing it; the body stays NUL-ended. */
static int
body_append(struct hc_conn *c, struct hc_resp *resp, const void *p,
    size_t len)
{
	char	*nb;
	size_t	 cap;

	if (resp->body_len + len > c->opts.max_body)
		return (seterr(c, HC_ERR_TOO_LARGE, "body larger than %zu "
		    "bytes", c->opts.max_body));
	if (resp->body_len + len + 1 > resp->body_cap) {
		cap = resp->body_cap == 0 ? 4096 : resp->body_cap;
		while (cap < resp->body_len + len + 1)
			cap *= 2;
		if ((nb = realloc(resp->body, cap)) == NULL)
			return (seterr(c, HC_ERR_NOMEM, "out of memory"));
		resp->body = nb;
		resp->body_cap = cap;
	}
	if (len > 0)
		memcpy(resp->body + resp->body_len, p, len);
	resp->body_len += len;
	resp->body[resp->body_len] = '\0';

	return (HC_OK);
}

/* Reads exactly n body bytes, or until EOF when until_eof. */
static int
read_body(struct hc_conn *c, struct hc_resp *resp, size_t n, bool until_eof)
{
	size_t	take;
	bool	eof;
	int	r;

	while (until_eof || n > 0) {
		if (c->rpos == c->rlen && (r = fill(c, &eof)) != HC_OK)
			return (until_eof && eof ? HC_OK : r);
		take = c->rlen - c->rpos;
		if (!until_eof && take > n)
			take = n;
		if ((r = body_append(c, resp, c->rbuf + c->rpos, take)) !=
		    HC_OK)
			return (r);
		c->rpos += take;
		n -= until_eof ? 0 : take;
	}

	return (HC_OK);
}

/* One CRLF- (or LF-) terminated line, without its end, at most max-1. */
static int
read_line(struct hc_conn *c, char *buf, size_t max)
{
	unsigned char	b;
	size_t		n = 0;
	bool		eof;
	int		r;

	for (;;) {
		if ((r = get_byte(c, &b, &eof)) != HC_OK)
			return (r);
		if (b == '\n')
			break;
		if (n + 1 >= max)
			return (seterr(c, HC_ERR_TOO_LARGE, "line too long"));
		buf[n++] = (char)b;
	}
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';

	return (HC_OK);
}

static int
read_chunked(struct hc_conn *c, struct hc_resp *resp)
{
	char		 line[MAX_LINE], *end;
	unsigned long long n;
	int		 r;

	for (;;) {
		if ((r = read_line(c, line, sizeof(line))) != HC_OK)
			return (r);
		errno = 0;
		n = strtoull(line, &end, 16);
		if (end == line || errno != 0 || (*end != '\0' &&
		    *end != ';' && *end != ' ' && *end != '\t'))
			return (seterr(c, HC_ERR_PROTO, "bad chunk size"));
		if (n == 0)
			break;
		if (n > c->opts.max_body)
			return (seterr(c, HC_ERR_TOO_LARGE, "chunk too "
			    "large"));
		if ((r = read_body(c, resp, (size_t)n, false)) != HC_OK)
			return (r);
		if ((r = read_line(c, line, sizeof(line))) != HC_OK)
			return (r);
		if (line[0] != '\0')
			return (seterr(c, HC_ERR_PROTO, "chunk not followed "
			    "by CRLF"));
	}
	/* Trailers, up to the empty line. */
	for (size_t i = 0; i < HC_MAX_HEADERS; i++) {
		if ((r = read_line(c, line, sizeof(line))) != HC_OK)
			return (r);
		if (line[0] == '\0')
			return (HC_OK);
	}

	return (seterr(c, HC_ERR_TOO_LARGE, "too many trailers"));
}

/* Reads the header block into resp->hdr, up to and without CRLFCRLF. */
static int
read_head(struct hc_conn *c, struct hc_resp *resp, bool *first_eof)
{
	unsigned char	b;
	size_t		n = 0;
	bool		eof;
	int		r;

	if (resp->hdr == NULL) {
		if ((resp->hdr = malloc(HC_MAX_HEADER_BYTES + 1)) == NULL)
			return (seterr(c, HC_ERR_NOMEM, "out of memory"));
		resp->hdr_cap = HC_MAX_HEADER_BYTES + 1;
	}
	for (;;) {
		if ((r = get_byte(c, &b, &eof)) != HC_OK) {
			*first_eof = eof && n == 0;
			return (r);
		}
		if (n == HC_MAX_HEADER_BYTES)
			return (seterr(c, HC_ERR_TOO_LARGE, "response header "
			    "larger than %d bytes", HC_MAX_HEADER_BYTES));
		resp->hdr[n++] = (char)b;
		if (b != '\n')
			continue;
		if (n >= 2 && resp->hdr[n - 2] == '\n') {
			n -= 1;
			break;
		}
		if (n >= 4 && memcmp(resp->hdr + n - 4, "\r\n\r\n", 4) == 0) {
			n -= 2;
			break;
		}
	}
	resp->hdr[n] = '\0';

	return (HC_OK);
}

static bool
token_in(const char *list, const char *tok)
{
	size_t		 tl = strlen(tok);
	const char	*p = list;

	while (*p != '\0') {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (strncasecmp(p, tok, tl) == 0 && (p[tl] == '\0' ||
		    p[tl] == ',' || p[tl] == ' ' || p[tl] == '\t'))
			return (true);
		while (*p != '\0' && *p != ',')
			p++;
	}

	return (false);
}

/* Splits resp->hdr into the status and header lines. */
static int
parse_head(struct hc_conn *c, struct hc_resp *resp, int *minor)
{
	char	*line = resp->hdr, *next, *colon, *v, *e, *end;
	long	 st;

	resp->nhdr = 0;
	if ((next = strchr(line, '\n')) != NULL)
		*next++ = '\0';
	if ((e = strchr(line, '\r')) != NULL)
		*e = '\0';
	if (strncmp(line, "HTTP/1.", 7) != 0 || (line[7] != '0' &&
	    line[7] != '1') || line[8] != ' ')
		return (seterr(c, HC_ERR_PROTO, "bad status line"));
	*minor = line[7] - '0';
	st = strtol(line + 9, &end, 10);
	if (end != line + 12 || st < 100 || st > 999 || (*end != ' ' &&
	    *end != '\0'))
		return (seterr(c, HC_ERR_PROTO, "bad status code"));
	resp->status = (int)st;
	for (line = next; line != NULL && *line != '\0'; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if ((e = strchr(line, '\r')) != NULL)
			*e = '\0';
		if (*line == '\0')
			break;
		if (*line == ' ' || *line == '\t' ||
		    (colon = strchr(line, ':')) == NULL || colon == line)
			return (seterr(c, HC_ERR_PROTO, "bad header line"));
		if (resp->nhdr == HC_MAX_HEADERS)
			return (seterr(c, HC_ERR_TOO_LARGE, "more than %d "
			    "headers", HC_MAX_HEADERS));
		*colon = '\0';
		for (v = colon + 1; *v == ' ' || *v == '\t'; v++)
			;
		for (e = v + strlen(v); e > v && (e[-1] == ' ' ||
		    e[-1] == '\t'); )
			*--e = '\0';
		resp->hname[resp->nhdr] = line;
		resp->hval[resp->nhdr] = v;
		resp->nhdr++;
	}

	return (HC_OK);
}

const char *
hc_resp_header(const struct hc_resp *resp, const char *name)
{
	for (size_t i = 0; i < resp->nhdr; i++)
		if (strcasecmp(resp->hname[i], name) == 0)
			return (resp->hval[i]);

	return (NULL);
}

void
hc_resp_free(struct hc_resp *resp)
{
	if (resp == NULL)
		return;
	free(resp->hdr);
	free(resp->body);
	memset(resp, 0, sizeof(*resp));
}

static int
read_response(struct hc_conn *c, bool head, struct hc_resp *resp)
{
	const char		*te, *cl, *cn;
	char			*end;
	unsigned long long	 n;
	bool			 first_eof = false, keep;
	int			 minor = 1, r;

	do {
		resp->status = 0;
		resp->body_len = 0;
		if ((r = body_append(c, resp, "", 0)) != HC_OK)
			return (r);
		if ((r = read_head(c, resp, &first_eof)) != HC_OK) {
			if (first_eof)
				(void)seterr(c, r, "connection closed before "
				    "a response");
			return (r);
		}
		if ((r = parse_head(c, resp, &minor)) != HC_OK)
			return (r);
	} while (resp->status >= 100 && resp->status < 200);

	cn = hc_resp_header(resp, "Connection");
	keep = minor == 1 ? !(cn != NULL && token_in(cn, "close")) :
	    (cn != NULL && token_in(cn, "keep-alive"));
	te = hc_resp_header(resp, "Transfer-Encoding");
	cl = hc_resp_header(resp, "Content-Length");
	if (head || resp->status == 204 || resp->status == 304)
		r = HC_OK;
	else if (te != NULL) {
		if (!token_in(te, "chunked"))
			return (seterr(c, HC_ERR_PROTO, "transfer coding "
			    "'%s'", te));
		r = read_chunked(c, resp);
	} else if (cl != NULL) {
		errno = 0;
		n = strtoull(cl, &end, 10);
		if (*cl < '0' || *cl > '9' || *end != '\0' || errno != 0)
			return (seterr(c, HC_ERR_PROTO, "bad Content-Length"));
		if (n > c->opts.max_body)
			return (seterr(c, HC_ERR_TOO_LARGE, "Content-Length "
			    "%llu exceeds %zu", n, c->opts.max_body));
		r = read_body(c, resp, (size_t)n, false);
	} else {
		r = read_body(c, resp, 0, true);
		keep = false;
	}
	if (r != HC_OK)
		return (r);
	if (!keep)
		disconnect(c);

	return (HC_OK);
}

/* A usable connection: the current one if still alive, else a new one. */
static int
ready(struct hc_conn *c)
{
	if (c->fd >= 0 && (!c->used || idle_alive(c)))
		return (HC_OK);

	return (reconnect(c));
}

static int
finish(struct hc_conn *c, int r, struct hc_resp *resp)
{
	if (r != HC_OK) {
		resp->status = 0;
		disconnect(c);
	}

	return (r);
}

int
hc_request_raw(struct hc_conn *c, const void *raw, size_t len,
    struct hc_resp *resp)
{
	int r;

	resp->status = 0;
	if ((r = ready(c)) != HC_OK)
		return (finish(c, r, resp));
	c->used = true;
	if ((r = io_write(c, raw, len)) != HC_OK)
		return (finish(c, r, resp));

	return (finish(c, read_response(c, false, resp), resp));
}

int
hc_request(struct hc_conn *c, const char *method, const char *path,
    const char *const *headers, const void *body, size_t body_len,
    struct hc_resp *resp)
{
	char	*head = NULL;
	size_t	 cap, n;
	bool	 v6 = strchr(c->host, ':') != NULL, inline_body;
	int	 r, w, wr = HC_OK;

	resp->status = 0;
	if (method == NULL || path == NULL || strpbrk(method, " \r\n") !=
	    NULL || strpbrk(path, " \r\n") != NULL)
		return (HC_ERR_ARG);
	cap = strlen(method) + strlen(path) + strlen(c->host) + 256;
	for (size_t i = 0; headers != NULL && headers[i] != NULL; i++) {
		if (strpbrk(headers[i], "\r\n") != NULL)
			return (HC_ERR_ARG);
		cap += strlen(headers[i]) + 2;
	}
	/* A small body goes in the same write: one segment, one send. */
	inline_body = body != NULL && body_len <= INLINE_BODY_MAX;
	if (inline_body)
		cap += body_len;
	if ((head = malloc(cap)) == NULL)
		return (HC_ERR_NOMEM);
	w = snprintf(head, cap, "%s %s HTTP/1.1\r\nHost: %s%s%s:%s\r\n"
	    "Connection: keep-alive\r\n", method, path, v6 ? "[" : "",
	    c->host, v6 ? "]" : "", c->port);
	n = (size_t)w;
	for (size_t i = 0; headers != NULL && headers[i] != NULL; i++)
		n += (size_t)snprintf(head + n, cap - n, "%s\r\n",
		    headers[i]);
	if (body != NULL || strcmp(method, "POST") == 0 ||
	    strcmp(method, "PUT") == 0)
		n += (size_t)snprintf(head + n, cap - n,
		    "Content-Length: %zu\r\n", body != NULL ? body_len : 0);
	n += (size_t)snprintf(head + n, cap - n, "\r\n");
	if (inline_body && body_len > 0) {
		memcpy(head + n, body, body_len);
		n += body_len;
	}

	if ((r = ready(c)) != HC_OK)
		goto done;
	c->used = true;
	if ((r = io_write(c, head, n)) != HC_OK)
		goto done;
	/* A server may answer (413) and close before taking the body. */
	if (!inline_body && body != NULL && body_len > 0 &&
	    (wr = io_write(c, body,
	    body_len)) != HC_OK && wr != HC_ERR_IO) {
		r = wr;
		goto done;
	}
	if ((r = read_response(c, strcmp(method, "HEAD") == 0, resp)) !=
	    HC_OK && wr != HC_OK)
		r = wr;
done:
	free(head);

	return (finish(c, r, resp));
}
