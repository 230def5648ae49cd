/* SPDX-License-Identifier: MIT */
/*
 * sha256.h - SHA-256, to check uploads against the target's sha256sum
 * and to key the build cache; computed by libcrypto (sha256.c).
 */
#ifndef PB_SHA256_H
#define PB_SHA256_H

#include <stddef.h>
#include <stdint.h>

#include "bisect/util.h"

#define SHA256_LEN	32
#define SHA256_HEXLEN	64

struct evp_md_ctx_st;

/* A digest in progress: sha256_final ends it and frees its context. */
struct sha256 {
	struct evp_md_ctx_st *ctx;
	uint64_t	 len;		/* bytes hashed so far */
};

void	 sha256_init(struct sha256 *);
void	 sha256_update(struct sha256 *, const void *, size_t);
void	 sha256_final(struct sha256 *, unsigned char out[SHA256_LEN]);
/* Lower-case hex of a digest; out holds SHA256_HEXLEN + 1 bytes. */
void	 sha256_hex(const unsigned char digest[SHA256_LEN], char *out);
/*
 * Hash a whole file: hex digest into hex (SHA256_HEXLEN + 1 bytes) and
 * its size into *size.  -1 with err set if it cannot be read.
 */
int	 sha256_file(const char *path, char *hex, uint64_t *size,
	    struct error *);

#endif
