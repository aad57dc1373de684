#ifndef OBF_COPENSSL_SERVER_H
#define OBF_COPENSSL_SERVER_H

#include <openssl/ssl.h>
#include <string.h>

// What a TLS server (the HTTP API) needs of OpenSSL that Swift cannot import: macros and a C callback.

/// The server's cipher order wins over the client's.
static inline uint64_t obf_ssl_server_options(void) {
    return SSL_OP_CIPHER_SERVER_PREFERENCE;
}

/// Sessions resumed by id (TLS 1.2) are cached by the server; tickets work without the cache.
static inline long obf_ssl_ctx_enable_server_session_cache(SSL_CTX *context, long size) {
    SSL_CTX_sess_set_cache_size(context, size);
    return SSL_CTX_set_session_cache_mode(context, SSL_SESS_CACHE_SERVER);
}

static const unsigned char obf_alpn_http11[] = { 8, 'h', 't', 't', 'p', '/', '1', '.', '1' };

/// ALPN: http/1.1 when the client offers it; a client offering only other protocols (h2, ...)
/// is refused with the no_application_protocol alert (RFC 7301); one offering none proceeds.
static inline int obf_alpn_select_http11(SSL *ssl, const unsigned char **out, unsigned char *outlen,
                                         const unsigned char *in, unsigned int inlen, void *arg) {
    (void)ssl; (void)arg;
    unsigned char *selected = NULL;
    if (SSL_select_next_proto(&selected, outlen, obf_alpn_http11, sizeof(obf_alpn_http11), in, inlen)
        != OPENSSL_NPN_NEGOTIATED) {
        return SSL_TLSEXT_ERR_ALERT_FATAL;
    }
    *out = selected;
    return SSL_TLSEXT_ERR_OK;
}

static inline void obf_ssl_ctx_select_http11(SSL_CTX *context) {
    SSL_CTX_set_alpn_select_cb(context, obf_alpn_select_http11, NULL);
}

/// The protocol ALPN agreed on, as a C string in `buffer` (empty when none).
static inline void obf_ssl_alpn_selected(const SSL *ssl, char *buffer, unsigned int size) {
    const unsigned char *data = NULL;
    unsigned int length = 0;
    SSL_get0_alpn_selected(ssl, &data, &length);
    if (size == 0) return;
    if (length >= size) length = size - 1;
    if (data != NULL && length > 0) memcpy(buffer, data, length);
    buffer[length] = 0;
}

#endif
