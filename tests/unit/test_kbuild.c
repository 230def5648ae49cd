/* SPDX-License-Identifier: MIT */
/*
 * test_kbuild.c - kernel image header checks and the test kernel's
 * command line (kexec/kbuild.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "kexec/kbuild.h"

#define IMG_SIZE 5120

/* A bzImage: 1 setup sector (+ boot sector) and 4096 bytes of kernel. */
static void
test_kbuild_make(unsigned char *p, const char *version)
{
	memset(p, 0, IMG_SIZE);
	p[0x1f1] = 1;
	p[0x1f5] = 1;			/* syssize 0x100 * 16 = 4096 */
	p[0x1fe] = 0x55;
	p[0x1ff] = 0xaa;
	memcpy(p + 0x202, "HdrS", 4);
	p[0x206] = 0x0f;
	p[0x207] = 0x02;		/* protocol 2.15 */
	if (version != NULL) {
		p[0x20f] = 0x01;	/* version string at 0x100 + 0x200 */
		memcpy(p + 0x300, version, strlen(version) + 1);
	}
}

static void
test_kbuild_whole(void **state)
{
	unsigned char img[IMG_SIZE];
	struct buf rel = BUF_INIT;
	struct error err = ERROR_INIT;
	enum kbuild_format fmt;

	(void)state;
	test_kbuild_make(img, "6.9.0-rc3-00042-gabcdef (u@h) #1 SMP");
	assert_int_equal(kbuild_check_image(img, IMG_SIZE, &fmt, &rel, &err),
	    0);
	assert_int_equal(fmt, KBUILD_BZIMAGE);
	assert_string_equal(rel.s, "6.9.0-rc3-00042-gabcdef");
	buf_release(&rel);
	error_clear(&err);
}

static void
test_kbuild_truncated(void **state)
{
	unsigned char img[IMG_SIZE];
	struct error err = ERROR_INIT;
	enum kbuild_format fmt;
	static const size_t sizes[] = { IMG_SIZE - 1, 4096, 1024, 0x206, 100,
	    0 };
	size_t i;

	(void)state;
	test_kbuild_make(img, NULL);
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		assert_int_equal(kbuild_check_image(img, sizes[i], &fmt, NULL,
		    &err), -1);
		error_clear(&err);
	}
	assert_int_equal(kbuild_check_image(img, IMG_SIZE - 1, &fmt, NULL,
	    &err), -1);
	assert_non_null(strstr(error_msg(&err), "truncated bzImage"));
	error_clear(&err);
}

static void
test_kbuild_setup_sects_zero(void **state)
{
	unsigned char img[IMG_SIZE];
	struct error err = ERROR_INIT;
	enum kbuild_format fmt;

	(void)state;
	/* 0 setup sectors means 4: 5 * 512 + 4096 > 5120. */
	test_kbuild_make(img, NULL);
	img[0x1f1] = 0;
	assert_int_equal(kbuild_check_image(img, IMG_SIZE, &fmt, NULL, &err),
	    -1);
	error_clear(&err);
	img[0x1f5] = 0;
	img[0x1f4] = 0x20;		/* 512 bytes of kernel */
	assert_int_equal(kbuild_check_image(img, IMG_SIZE, &fmt, NULL, &err),
	    0);
	error_clear(&err);
}

static void
test_kbuild_bad_magic(void **state)
{
	unsigned char img[IMG_SIZE];
	struct error err = ERROR_INIT;
	enum kbuild_format fmt;

	(void)state;
	test_kbuild_make(img, NULL);
	img[0x202] = 'X';
	assert_int_equal(kbuild_check_image(img, IMG_SIZE, &fmt, NULL, &err),
	    -1);
	assert_non_null(strstr(error_msg(&err), "not a kernel image"));
	error_clear(&err);
	test_kbuild_make(img, NULL);
	img[0x1fe] = 0;
	assert_int_equal(kbuild_check_image(img, IMG_SIZE, &fmt, NULL, &err),
	    -1);
	error_clear(&err);
}

static void
test_kbuild_other_formats(void **state)
{
	unsigned char img[IMG_SIZE];
	struct error err = ERROR_INIT;
	enum kbuild_format fmt;

	(void)state;
	memset(img, 0, sizeof(img));
	memcpy(img + 0x38, "ARM\x64", 4);
	img[0x11] = 0x10;		/* image_size 4096 */
	assert_int_equal(kbuild_check_image(img, IMG_SIZE, &fmt, NULL, &err),
	    0);
	assert_int_equal(fmt, KBUILD_ARM64);
	img[0x11] = 0x20;		/* 8192 > 5120 */
	assert_int_equal(kbuild_check_image(img, IMG_SIZE, &fmt, NULL, &err),
	    -1);
	error_clear(&err);
	memset(img, 0, sizeof(img));
	memcpy(img, "\177ELF", 4);
	assert_int_equal(kbuild_check_image(img, IMG_SIZE, &fmt, NULL, &err),
	    0);
	assert_int_equal(fmt, KBUILD_ELF);
}

static void
test_kbuild_cmdline(void **state)
{
	static const struct {
		const char	*base;
		const char	*want;
	} cases[] = {
		{ "BOOT_IMAGE=/vmlinuz root=/dev/sda1 ro quiet\n",
		  "BOOT_IMAGE=/vmlinuz root=/dev/sda1 ro quiet panic=10 "
		  "perfbisect.boot=N" },
		{ "root=/dev/vda panic=10 perfbisect.boot=old  console=ttyS0",
		  "root=/dev/vda console=ttyS0 panic=10 perfbisect.boot=N" },
		{ "", "panic=10 perfbisect.boot=N" },
		{ "  perfbisect.boot=x ", "panic=10 perfbisect.boot=N" },
		{ "panicky=1 mypanic=2", "panicky=1 mypanic=2 panic=10 "
		  "perfbisect.boot=N" },
	};
	struct buf out = BUF_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		kbuild_boot_cmdline(cases[i].base, 10, "N", &out);
		assert_string_equal(out.s, cases[i].want);
	}
	buf_release(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kbuild_whole),
		cmocka_unit_test(test_kbuild_truncated),
		cmocka_unit_test(test_kbuild_setup_sects_zero),
		cmocka_unit_test(test_kbuild_bad_magic),
		cmocka_unit_test(test_kbuild_other_formats),
		cmocka_unit_test(test_kbuild_cmdline),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
