/*
 * httpc.h: a minimal HTTP/1.1 client for tests and benchmarks only.
 *
 * One struct hc_conn is one keep-alive TCP connection, optionally TLS
 * (OpenSSL), to one server.  hc_request() sends one request and reads
 * the whole response; the connection is reused for the next request
 * and reopened transparently when the server closed it while idle or
 * said "Connection: close".  Everything is bounded: header bytes and
 * count, body size, and time per I/O step.
 *
 * A connection belongs to one thread at a time; different connections
 * may be used concurrently (a load generator opens one per thread).
 * Plain sends never raise SIGPIPE, but OpenSSL's writes can: programs
 * that use TLS ignore SIGPIPE.
 */
#ifndef HTTPC_H
#define HTTPC_H

#include <stdbool.h>
#include <stddef.h>

#define HC_OK		0
#define HC_ERR_ARG	1	/* caller error */
#define HC_ERR_NOMEM	2
#define HC_ERR_CONNECT	3	/* resolve or TCP connect failed */
#define HC_ERR_TLS	4	/* handshake or certificate check failed */
#define HC_ERR_IO	5	/* send/receive failed, or closed early */
#define HC_ERR_TIMEOUT	6
#define HC_ERR_PROTO	7	/* malformed response */
#define HC_ERR_TOO_LARGE 8	/* response exceeds a cap */

#define HC_MAX_HEADER_BYTES	(32 * 1024)
#define HC_MAX_HEADERS		64
#define HC_DEFAULT_MAX_BODY	(4 * 1024 * 1024)
#define HC_DEFAULT_TIMEOUT_MS	10000

struct hc_conn;

/* Where and how to connect.  A zeroed struct plus host and port is plain
 * HTTP with the defaults. */
struct hc_opts {
	const char	*host;		/* name or IP literal */
	const char	*port;
	int		 timeout_ms;	/* per I/O wait; 0: the default */
	size_t		 max_body;	/* 0: HC_DEFAULT_MAX_BODY */
	bool		 tls;
	/* TLS: trust only this PEM file (NULL: the system store). */
	const char	*tls_cafile;
	/* TLS: the name or IP address the certificate must be for
	 * (NULL: host). */
	const char	*tls_name;
	bool		 tls_insecure_noverify;
	/* TLS: protocol bounds, e.g. TLS1_3_VERSION; 0: library default. */
	int		 tls_min_version;
	int		 tls_max_version;
	/* TLS: OpenSSL cipher list for TLS 1.2 and below; NULL: default. */
	const char	*tls_ciphers;
};

/* A response.  Zero it before first use; hc_request() reuses its buffers
 * and hc_resp_free() releases them. */
struct hc_resp {
	int		 status;
	char		*body;		/* NUL-terminated; never NULL after
					 * a successful hc_request() */
	size_t		 body_len;
	/* Private: the raw header block and its parsed lines. */
	char		*hdr;
	size_t		 hdr_cap;
	size_t		 nhdr;
	const char	*hname[HC_MAX_HEADERS];
	const char	*hval[HC_MAX_HEADERS];
	size_t		 body_cap;
};

/*
 * Connects (and handshakes, for TLS).  OUT: *conn, freed with
 * hc_close().  On failure *conn is NULL and, if err is not NULL, a
 * message is written to err (at most errlen bytes).  Returns HC_OK or
 * HC_ERR_*.
 */
int		 hc_connect(const struct hc_opts *, struct hc_conn **, char *,
		    size_t);
/* Closes the connection and frees it; accepts NULL; NULLs the pointer. */
void		 hc_close(struct hc_conn **);

/*
 * Sends method path with the given headers ("Name: value" strings, a
 * NULL-terminated array, or NULL) and body (NULL for none; body_len
 * bytes, sent with Content-Length).  Host, Content-Length and
 * Connection: keep-alive are added.  Reads the response into resp.
 * Returns HC_OK or HC_ERR_*; resp->status is 0 unless HC_OK.
 */
int		 hc_request(struct hc_conn *, const char *, const char *,
		    const char *const *, const void *, size_t,
		    struct hc_resp *);
/*
 * Sends raw bytes as they are (a hand-made request, which may lie about
 * its length) and reads one response into resp.
 */
int		 hc_request_raw(struct hc_conn *, const void *, size_t,
		    struct hc_resp *);

/* A response header's value (case-insensitive name), or NULL; borrowed
 * until the next request with resp. */
const char	*hc_resp_header(const struct hc_resp *, const char *);
void		 hc_resp_free(struct hc_resp *);

/* The negotiated TLS version (e.g. TLS1_3_VERSION), or 0 for plain TCP. */
int		 hc_tls_version(const struct hc_conn *);
/* The last error message of conn ("" if none); borrowed. */
const char	*hc_errmsg(const struct hc_conn *);
/* How many TCP connections conn has opened so far (reconnects + 1). */
unsigned int	 hc_nconnects(const struct hc_conn *);
const char	*hc_strerr(int);

#endif /* HTTPC_H */
