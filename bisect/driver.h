/* SPDX-License-Identifier: MIT */
/*
 * driver.h - the bisection loop: measure the endpoints, choose commits,
 * build, boot and measure them, classify, confirm the culprit.
 *
 * The driver keeps no state of its own that the record cannot rebuild.
 * Every decision is a pure function of recorded boot values, and every
 * boot or run it needs is looked up in the record before it is made.  So
 * "resume" after a crash replays the decisions from the record (no
 * completed run is repeated) and carries on where it stopped, reaching
 * the answer an uninterrupted run would have reached.
 */
#ifndef PB_DRIVER_H
#define PB_DRIVER_H

#include <signal.h>

#include "bisect/util.h"

struct config;
struct repo;
struct state;

/* Settings of a bisection, from the config (see perfbisect.conf(5)). */
struct driver_settings {
	const char	*build_command;
	long long	 build_timeout_ms;
	const char	*image;		/* kernel image, relative to the tree */
	const char	*initrd;	/* initramfs, relative; NULL: none */
	const char	*modules;	/* modules tar, relative; NULL: none */
	const char	*release_command; /* prints the release; NULL: none */
	int		 build_ahead;	/* build.ahead; -1: unset (on unless local) */
	int		 warmup;
	int		 runs;
	int		 auto_runs;	/* stats.runs = auto */
	int		 endpoint_boots;
	int		 endpoint_max_boots;
	int		 endpoint_long_boots;	/* while verdict_promising() */
	int		 min_boots;
	int		 max_boots;
	int		 confirm_boots;
	int		 drift_every;	/* re-measure good every N steps, 0: never */
	int		 max_failed_runs;
	int		 max_boot_failures;
	int		 unit_median;
	double		 outlier_mads;
	long long	 run_timeout_ms;
	double		 alpha;
	double		 beta;
	double		 min_effect;
	double		 level;
	long long	 seed;
	int		 first_parent;
	int		 all_culprits;	/* bisect.allCulprits */
	int		 search;	/* DRIVER_SEARCH_* (bisect.search) */
	double		 confidence;	/* bisect.confidence */
	int		 search_max_boots;	/* bisect.maxBoots, 0: auto */
	long long	 max_time_ms;	/* bisect.maxTime, 0: none */
	int		 search_max_builds;	/* bisect.maxBuilds, 0: none */
};

#define DRIVER_SEARCH_POSTERIOR	0	/* search-posterior.h */
#define DRIVER_SEARCH_CLASSIC	1	/* git's halving, the default */

/*
 * Read and check the settings; -1 with "file: bad value ..." on a
 * malformed one, or when build.command is missing.
 */
int	 driver_settings_load(struct driver_settings *, struct config *,
	    struct error *);

/* Output options of a run. */
struct driver_output {
	int	 ci;		/* structured lines, no redraws */
	int	 quiet;
};

/* Set by SIGINT/SIGTERM handlers; checked between runs. */
extern volatile sig_atomic_t driver_interrupted;

/*
 * Run (or continue) the bisection recorded in st.  Returns an exit
 * status (enum pb_exit) and prints the outcome.
 */
int	 driver_main(struct repo *, struct state *, struct config *,
	    const struct driver_output *);

/* What driver_step returns: the statuses "git bisect run" reads. */
#define DRIVER_STEP_GOOD	0
#define DRIVER_STEP_BAD		1
#define DRIVER_STEP_SKIP	125	/* untestable or undecided */
#define DRIVER_STEP_ABORT	128	/* an error, printed; stop bisecting */

/*
 * Measure commit hex against the endpoint values recorded in st (every
 * successful boot of the good and the bad endpoint) exactly as the
 * bisection measures a step, and record its boots and its verdict as
 * step number step.  Boots of hex the record already has are reused.
 */
int	 driver_step(struct repo *, struct state *, struct config *,
	    const struct driver_output *, const char *hex, int step);

#endif
