/* SPDX-License-Identifier: MIT */
/*
 * target.h - a test machine as a small table of operations.
 *
 * The driver only calls these; "local" (this machine, no reboot) and
 * "ssh" (libssh2, kexec or no boot) implement them, and a new kind slots
 * in with a new table.  Every operation has a deadline and returns 0 or
 * -1 with a message; TARGET_EUNREACHABLE tells the driver the machine is
 * gone (power cycles did not help), as opposed to a failure of this
 * commit.
 */
#ifndef PB_TARGET_H
#define PB_TARGET_H

#include <stddef.h>
#include <stdint.h>

#include "bisect/util.h"

struct config;

#define TARGET_EUNREACHABLE (-2)
/*
 * Retry the same operation (the connection dropped).  install retries
 * by itself: from it, the connection kept dropping.
 */
#define TARGET_ETRANSIENT (-3)

/* What a build produced, for install and boot. */
struct artifact {
	char	*commit;	/* full object id */
	char	*dir;		/* build tree (local: the worktree) */
	char	*image;		/* kernel image, NULL for user-space builds */
	char	*initrd;	/* NULL: none */
	char	*modules;	/* tar of /lib/modules/RELEASE, NULL: none */
	char	*release;	/* kernel release the image reports */
};

void	 artifact_release(struct artifact *);

enum boot_outcome {
	BOOT_NONE,		/* no reboot (local, boot = none) */
	BOOT_BOOTED,		/* the kernel built came up */
	BOOT_FELL_BACK,		/* reachable, but in the default kernel */
	BOOT_NO_ANSWER,		/* deadline passed, power cycled */
	BOOT_WRONG_RELEASE,	/* up with the token, wrong uname -r */
};

struct boot_info {
	enum boot_outcome outcome;
	char	*release;	/* uname -r after boot */
	char	*boot_id;	/* /proc/sys/kernel/random/boot_id */
	char	*cmdline;
	int64_t	 boot_ms;	/* kexec -e to verified */
	int64_t	 notice_ms;	/* reachable to noticed */
};

void	 boot_info_release(struct boot_info *);

struct run_result {
	int	 status;	/* exit status, 128+signal, -1: not run */
	int	 timed_out;
	int64_t	 duration_ms;
	struct buf out;
	struct buf err;
};

void	 run_result_init(struct run_result *);
void	 run_result_release(struct run_result *);

struct target;

struct target_ops {
	const char *kind;
	/* Connect (or check) the machine. */
	int	(*open)(struct target *, struct error *);
	/* Put a build in place: upload image, initrd, modules. */
	int	(*install)(struct target *, const struct artifact *,
		    struct error *);
	/* Boot the installed build (or start a fresh batch). */
	int	(*boot)(struct target *, const struct artifact *,
		    struct boot_info *, struct error *);
	/* Run a shell command on the machine, in its work directory. */
	int	(*run)(struct target *, const char *cmd, long long timeout_ms,
		    struct run_result *, struct error *);
	/* Copy a file from the machine. */
	int	(*fetch)(struct target *, const char *remote,
		    const char *local, struct error *);
	void	(*close)(struct target *);
};

struct target {
	const struct target_ops *ops;
	char	*name;
	char	*workdir;	/* where commands run */
	long long run_timeout_ms;
	long long boot_timeout_ms;
	/*
	 * Set by the driver before open: a machine that does not answer is
	 * waited for (it may be booting) and power cycled if need be, as a
	 * boot is; "check" leaves it off and reports at once.
	 */
	int	 patient;
	void	*priv;
};

extern const struct target_ops target_local_ops;

/*
 * Make the target named name from the config ("local" is built in);
 * workdir is where the local target runs commands.
 */
int	 target_from_config(struct target **out, struct config *,
	    const char *name, const char *workdir, struct error *);
void	 target_free(struct target *);

/* The ssh target [target "NAME"] (kexec/target-ssh.c). */
int	 target_ssh_new(struct target **out, struct config *,
	    const char *name, struct error *);

/*
 * The simulated target [target "NAME"] kind = sim (kexec/target-sim.c):
 * boots read the level in the build's perfbisect-sim file, the "sim"
 * benchmark's runs print it with noise.
 */
int	 target_sim_new(struct target **out, struct config *,
	    const char *name, const char *workdir, struct error *);
/*
 * The standard deviation of a boot's value (the mean of runs runs)
 * relative to the level, outliers and drift left out; -1 when t is not a
 * sim target.
 */
int	 target_sim_value_sd(const struct target *t, int runs, double *sd);

/* A sim target's noise model, as configured. */
struct target_sim_params {
	const char	*model;		/* "gaussian", "lognormal" */
	double		 sd;		/* run to run, relative */
	double		 boot_sd;	/* boot to boot, relative */
	double		 outliers;	/* share of runs 4 sd slow */
	double		 drift;		/* relative change per boot */
};

/* -1 when t is not a sim target. */
int	 target_sim_params(const struct target *t, struct target_sim_params *);

#endif
