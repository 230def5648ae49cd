/* SPDX-License-Identifier: MIT */
/*
 * sha256.c - SHA-256 through OpenSSL's libcrypto (EVP), which libssh2
 * already links: one well-kept implementation, none of our own.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "kexec/sha256.h"

/* Out of memory in OpenSSL is as fatal as in xmalloc. */
static void
sha256_check(int ok, const char *what)
{
	if (!ok)
		fatal("libcrypto: %s failed", what);
}

void
sha256_init(struct sha256 *c)
{
	c->len = 0;
	c->ctx = EVP_MD_CTX_new();
	sha256_check(c->ctx != NULL, "EVP_MD_CTX_new");
	sha256_check(EVP_DigestInit_ex(c->ctx, EVP_sha256(), NULL),
	    "EVP_DigestInit_ex");
}

void
sha256_update(struct sha256 *c, const void *p, size_t n)
{
	sha256_check(EVP_DigestUpdate(c->ctx, p, n), "EVP_DigestUpdate");
	c->len += n;
}

void
sha256_final(struct sha256 *c, unsigned char out[SHA256_LEN])
{
	unsigned int n = 0;

	sha256_check(EVP_DigestFinal_ex(c->ctx, out, &n) && n == SHA256_LEN,
	    "EVP_DigestFinal_ex");
	EVP_MD_CTX_free(c->ctx);
	c->ctx = NULL;
}

void
sha256_hex(const unsigned char digest[SHA256_LEN], char *out)
{
	static const char hex[] = "0123456789abcdef";
	int i;

	for (i = 0; i < SHA256_LEN; i++) {
		out[2 * i] = hex[digest[i] >> 4];
		out[2 * i + 1] = hex[digest[i] & 0xf];
	}
	out[SHA256_HEXLEN] = '\0';
}

int
sha256_file(const char *path, char *hex, uint64_t *size, struct error *err)
{
	struct sha256 c;
	unsigned char digest[SHA256_LEN];
	char *chunk;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return error_set(err, "cannot open '%s': %s", path,
		    strerror(errno));
	chunk = xmalloc(65536);
	sha256_init(&c);
	for (;;) {
		n = read(fd, chunk, 65536);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		sha256_update(&c, chunk, (size_t)n);
	}
	free(chunk);
	close(fd);
	sha256_final(&c, digest);
	if (n == -1)
		return error_set(err, "cannot read '%s': %s", path,
		    strerror(errno));
	sha256_hex(digest, hex);
	*size = c.len;
	return 0;
}
