/* SPDX-License-Identifier: MIT */
/*
 * kbuild.h - checks on a built kernel image before it is uploaded.
 *
 * A truncated or foreign image would be loaded by kexec and then hang
 * the machine, costing a power cycle; reading its header first costs
 * nothing.  The checks are pure functions over the file's bytes.
 */
#ifndef PB_KBUILD_H
#define PB_KBUILD_H

#include <stddef.h>

#include "bisect/util.h"

enum kbuild_format {
	KBUILD_BZIMAGE,		/* x86 boot protocol */
	KBUILD_ARM64,		/* arm64 Image */
	KBUILD_ELF,		/* vmlinux */
};

/*
 * Check that p[0..n) is a whole kernel image: for a bzImage, "HdrS" at
 * 0x202 and the setup sectors (0x1f1) plus the protected-mode part
 * (syssize at 0x1f4, in 16-byte units) fit in n bytes.  On success sets
 * *format and, when release is not NULL and the image carries a version
 * string, its first word (the kernel release) in release.
 */
int	 kbuild_check_image(const unsigned char *p, size_t n,
	    enum kbuild_format *format, struct buf *release, struct error *);

/* The same for a file. */
int	 kbuild_check_image_file(const char *path, enum kbuild_format *,
	    struct buf *release, struct error *);

/*
 * The command line for a test kernel: base (the configured line, or the
 * running kernel's /proc/cmdline) without the panic= and perfbisect.*
 * words an earlier test boot added, then "panic=N perfbisect.boot=NONCE"
 * so the booted kernel proves it is the one just loaded.
 */
void	 kbuild_boot_cmdline(const char *base, long long panic_s,
	    const char *nonce, struct buf *out);

#endif
