/* SPDX-License-Identifier: MIT */
/*
 * kbuild.c - kernel image header checks.
 *
 * Offsets are those of the x86 boot protocol
 * (Documentation/arch/x86/boot.rst) and the arm64 Image header
 * (Documentation/arch/arm64/booting.rst).
 */
#include <string.h>

#include "kexec/kbuild.h"

#define BZ_SETUP_SECTS	0x1f1
#define BZ_SYSSIZE	0x1f4
#define BZ_BOOT_FLAG	0x1fe
#define BZ_HEADER	0x202
#define BZ_VERSION	0x206
#define BZ_KERNEL_VER	0x20e
#define ARM64_SIZE	0x10
#define ARM64_MAGIC	0x38

static unsigned long long
kbuild_le(const unsigned char *p, int n)
{
	unsigned long long v = 0;

	while (n-- > 0)
		v = v << 8 | p[n];
	return v;
}

/* The release from the version string a bzImage points to, if any. */
static void
kbuild_bz_release(const unsigned char *p, size_t n, struct buf *release)
{
	size_t off, end;

	if (kbuild_le(p + BZ_VERSION, 2) < 0x200)
		return;
	off = (size_t)kbuild_le(p + BZ_KERNEL_VER, 2);
	if (off == 0)
		return;
	off += 0x200;
	for (end = off; end < n && end - off < 256 && p[end] > ' ' &&
	    p[end] < 0x7f; end++)
		;
	if (end > off && end < n)
		buf_add(release, p + off, end - off);
}

int
kbuild_check_image(const unsigned char *p, size_t n,
    enum kbuild_format *format, struct buf *release, struct error *err)
{
	unsigned long long setup, sys, need;

	if (release != NULL)
		buf_reset(release);
	if (n >= BZ_HEADER + 4 && memcmp(p + BZ_HEADER, "HdrS", 4) == 0) {
		if (kbuild_le(p + BZ_BOOT_FLAG, 2) != 0xaa55)
			return error_set(err, "bzImage without the 0xaa55 "
			    "boot flag");
		setup = p[BZ_SETUP_SECTS];
		if (setup == 0)
			setup = 4;
		setup = (setup + 1) * 512;
		sys = kbuild_le(p + BZ_SYSSIZE, 4) * 16;
		need = setup + sys;
		if (sys == 0 || need > n)
			return error_set(err, "truncated bzImage: %zu bytes, "
			    "header says %llu", n, need);
		*format = KBUILD_BZIMAGE;
		if (release != NULL)
			kbuild_bz_release(p, n, release);
		return 0;
	}
	if (n >= ARM64_MAGIC + 4 && memcmp(p + ARM64_MAGIC, "ARM\x64", 4) == 0) {
		need = kbuild_le(p + ARM64_SIZE, 8);
		if (need > n)
			return error_set(err, "truncated arm64 Image: %zu "
			    "bytes, header says %llu", n, need);
		*format = KBUILD_ARM64;
		return 0;
	}
	if (n >= 64 && memcmp(p, "\177ELF", 4) == 0) {
		*format = KBUILD_ELF;
		return 0;
	}
	if (n < BZ_HEADER + 4)
		return error_set(err, "not a kernel image: only %zu bytes", n);
	return error_set(err, "not a kernel image: no bzImage, arm64 or ELF "
	    "header");
}

int
kbuild_check_image_file(const char *path, enum kbuild_format *format,
    struct buf *release, struct error *err)
{
	struct buf b = BUF_INIT;
	int rc;

	if (read_file(path, &b, err) == -1)
		return -1;
	rc = kbuild_check_image((const unsigned char *)b.s, b.len, format,
	    release, err);
	buf_release(&b);
	if (rc == -1)
		error_prefix(err, "'%s': ", path);
	return rc;
}

/*
 * The command line for the next kernel: the configured one, or the
 * running one without what perfbisect added last time; then panic=N and
 * the boot nonce.
 */
void
kbuild_boot_cmdline(const char *base, long long panic_s, const char *nonce,
    struct buf *out)
{
	const char *w, *e;

	buf_reset(out);
	for (w = base; *w != '\0'; w = e) {
		while (*w == ' ' || *w == '\t' || *w == '\n')
			w++;
		for (e = w; *e != '\0' && *e != ' ' && *e != '\t' &&
		    *e != '\n'; e++)
			;
		if (e == w)
			break;
		if ((e - w > 11 && strncmp(w, "perfbisect.", 11) == 0) ||
		    (e - w > 6 && strncmp(w, "panic=", 6) == 0))
			continue;
		if (out->len > 0)
			buf_addch(out, ' ');
		buf_add(out, w, (size_t)(e - w));
	}
	if (out->len > 0)
		buf_addch(out, ' ');
	buf_addf(out, "panic=%lld perfbisect.boot=%s", panic_s, nonce);
}
