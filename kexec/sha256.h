/* SPDX-License-Identifier: MIT */
/*
 * sha256.h - SHA-256 (FIPS 180-4), to check uploads against the
 * target's sha256sum without depending on a crypto library directly.
 */
#ifndef PB_SHA256_H
#define PB_SHA256_H

#include <stddef.h>
#include <stdint.h>

#include "bisect/util.h"

#define SHA256_LEN	32
#define SHA256_HEXLEN	64

struct sha256 {
	uint32_t	 h[8];
	uint64_t	 len;		/* bytes hashed so far */
	unsigned char	 block[64];
	size_t		 fill;		/* bytes in block */
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
