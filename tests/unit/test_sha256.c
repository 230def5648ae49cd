/* SPDX-License-Identifier: MIT */
/*
 * test_sha256.c - SHA-256 against the FIPS 180-4 example vectors, and the
 * unpadded base64 OpenSSH uses for fingerprints (kexec/ssh.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kexec/sha256.h"
#include "kexec/ssh.h"

static void
test_sha256_hex(const void *p, size_t n, size_t step, const char *want)
{
	struct sha256 c;
	unsigned char d[SHA256_LEN];
	char hex[SHA256_HEXLEN + 1];
	size_t off, k;

	sha256_init(&c);
	for (off = 0; off < n; off += k) {
		k = n - off < step ? n - off : step;
		sha256_update(&c, (const char *)p + off, k);
	}
	sha256_final(&c, d);
	sha256_hex(d, hex);
	assert_string_equal(hex, want);
}

static void
test_sha256_vectors(void **state)
{
	static const struct {
		const char	*in;
		const char	*want;
	} v[] = {
		{ "", "e3b0c44298fc1c149afbf4c8996fb924"
		    "27ae41e4649b934ca495991b7852b855" },
		{ "abc", "ba7816bf8f01cfea414140de5dae2223"
		    "b00361a396177a9cb410ff61f20015ad" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		  "248d6a61d20638b8e5c026930c3e6039"
		  "a33ce45964ff2167f6ecedd419db06c1" },
		{ "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
		  "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
		  "cf5b16a778af8380036ce59e7b049237"
		  "0b249b11e8f07a51afac45037afee9d1" },
	};
	size_t i, steps[] = { 1, 3, 63, 64, 1000 }, j;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(v); i++)
		for (j = 0; j < ARRAY_SIZE(steps); j++)
			test_sha256_hex(v[i].in, strlen(v[i].in), steps[j],
			    v[i].want);
}

static void
test_sha256_million_a(void **state)
{
	char *p = xmalloc(1000000);

	(void)state;
	memset(p, 'a', 1000000);
	test_sha256_hex(p, 1000000, 4096, "cdc76e5c9914fb9281a1c7e284d73e67"
	    "f1809a48a497200e046d39ccc7112cd0");
	test_sha256_hex(p, 1000000, 777, "cdc76e5c9914fb9281a1c7e284d73e67"
	    "f1809a48a497200e046d39ccc7112cd0");
	free(p);
}

static void
test_sha256_base64(void **state)
{
	static const struct {
		const char	*in;
		const char	*want;
	} v[] = {
		{ "", "" }, { "f", "Zg" }, { "fo", "Zm8" }, { "foo", "Zm9v" },
		{ "foob", "Zm9vYg" }, { "fooba", "Zm9vYmE" },
		{ "foobar", "Zm9vYmFy" },
	};
	char out[16];
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(v); i++) {
		ssh_base64((const unsigned char *)v[i].in, strlen(v[i].in),
		    out);
		assert_string_equal(out, v[i].want);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256_vectors),
		cmocka_unit_test(test_sha256_million_a),
		cmocka_unit_test(test_sha256_base64),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
