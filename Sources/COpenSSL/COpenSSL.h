#ifndef OBF_COPENSSL_H
#define OBF_COPENSSL_H

#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <errno.h>
#include <stdint.h>

// Macros Swift cannot import, as functions.

static inline int obf_ssl_ctx_set_min_proto_version(SSL_CTX *context, int version) {
    return (int)SSL_CTX_set_min_proto_version(context, version);
}

static inline int obf_ssl_ctx_set_max_proto_version(SSL_CTX *context, int version) {
    return (int)SSL_CTX_set_max_proto_version(context, version);
}

static inline long obf_ssl_ctx_set_mode(SSL_CTX *context, long mode) {
    return SSL_CTX_set_mode(context, mode);
}

static inline int obf_ssl_set_tlsext_host_name(SSL *ssl, const char *name) {
    return (int)SSL_set_tlsext_host_name(ssl, name);
}

static inline int obf_tls1_2_version(void) { return TLS1_2_VERSION; }

/// Options of every context: no renegotiation (so a write never has to read), no compression,
/// and an end of stream without close_notify read as a plain end of stream.
static inline uint64_t obf_ssl_default_options(void) {
    return SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION | SSL_OP_IGNORE_UNEXPECTED_EOF;
}

/// Writes return after each record, and a retried write may pass the same bytes from another address.
static inline long obf_ssl_default_mode(void) {
    return SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER;
}

static inline int obf_ssl_filetype_pem(void) { return SSL_FILETYPE_PEM; }

// A socket BIO that sends with MSG_NOSIGNAL, so a write to a connection the peer has closed
// fails with EPIPE instead of raising SIGPIPE (OpenSSL's own socket BIO uses write(2)). It never
// closes the descriptor; its owner does.

static inline int obf_nosignal_bio_write(BIO *bio, const char *data, int length) {
    int fd = (int)(intptr_t)BIO_get_data(bio);
    ssize_t sent;
    BIO_clear_retry_flags(bio);
    do {
        sent = send(fd, data, (size_t)length, MSG_NOSIGNAL);
    } while (sent < 0 && errno == EINTR);
    if (sent < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) BIO_set_retry_write(bio);
        return -1;
    }
    return (int)sent;
}

static inline int obf_nosignal_bio_read(BIO *bio, char *data, int length) {
    int fd = (int)(intptr_t)BIO_get_data(bio);
    ssize_t received;
    BIO_clear_retry_flags(bio);
    if (data == NULL || length <= 0) return 0;
    do {
        received = recv(fd, data, (size_t)length, 0);
    } while (received < 0 && errno == EINTR);
    if (received < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) BIO_set_retry_read(bio);
        return -1;
    }
    return (int)received;
}

static inline int obf_nosignal_bio_puts(BIO *bio, const char *text) {
    size_t length = 0;
    while (text[length] != 0) length++;
    return obf_nosignal_bio_write(bio, text, (int)length);
}

static inline long obf_nosignal_bio_ctrl(BIO *bio, int command, long number, void *pointer) {
    (void)bio; (void)number; (void)pointer;
    switch (command) {
    case BIO_CTRL_FLUSH:
    case BIO_CTRL_DUP:
        return 1;
    default:
        return 0;
    }
}

static inline int obf_nosignal_bio_create(BIO *bio) {
    BIO_set_data(bio, NULL);
    BIO_set_init(bio, 0);
    return 1;
}

static inline int obf_nosignal_bio_destroy(BIO *bio) {
    if (bio == NULL) return 0;
    BIO_set_data(bio, NULL);
    BIO_set_init(bio, 0);
    return 1;
}

/// A new method table for the MSG_NOSIGNAL socket BIO; create it once and keep it.
static inline BIO_METHOD *obf_nosignal_bio_method_new(void) {
    BIO_METHOD *method = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK | BIO_TYPE_DESCRIPTOR,
                                      "socket (MSG_NOSIGNAL)");
    if (method == NULL) return NULL;
    if (BIO_meth_set_write(method, obf_nosignal_bio_write) != 1
        || BIO_meth_set_read(method, obf_nosignal_bio_read) != 1
        || BIO_meth_set_puts(method, obf_nosignal_bio_puts) != 1
        || BIO_meth_set_ctrl(method, obf_nosignal_bio_ctrl) != 1
        || BIO_meth_set_create(method, obf_nosignal_bio_create) != 1
        || BIO_meth_set_destroy(method, obf_nosignal_bio_destroy) != 1) {
        BIO_meth_free(method);
        return NULL;
    }
    return method;
}

/// A BIO of `method` over the connected socket `fd` (which it does not own).
static inline BIO *obf_nosignal_bio_new(BIO_METHOD *method, int fd) {
    BIO *bio = BIO_new(method);
    if (bio == NULL) return NULL;
    BIO_set_data(bio, (void *)(intptr_t)fd);
    BIO_set_init(bio, 1);
    return bio;
}

#endif
