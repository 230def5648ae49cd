/* SPDX-License-Identifier: MIT */
/*
 * helper-graph.c - the bisection core and its libgit2 loader, for shell
 * tests and the benchmark.
 *
 * helper-graph next
 *	Read a graph and marks on stdin, print the core's answer:
 *	"next NAME", "found NAME" or "only-skipped NAME...", then
 *	"remaining N steps S".  Input, one item a line, '#' comments:
 *	    NAME [PARENT...]	a commit; its parents come earlier, a name
 *				never defined is a parent outside the graph
 *	    good NAME...	marks
 *	    skip NAME...
 *	    bad NAME		the current bad commit (default: the last)
 *	    first-parent	follow first parents only
 *	    tiebreak-by-name	break ties by name, not by input order
 *
 * helper-graph repo-bisect [--first-parent] REPO GOOD BAD ORACLE
 *	Bisect REPO between GOOD and BAD as "git bisect run ORACLE" does:
 *	ORACLE runs under "sh -c" with the commit id as $1 and exits 0 for
 *	good, 125 for skip, 1-127 for bad; 128 or more aborts.  Prints
 *	"step K ID good|bad|skip" per step, then "first bad commit ID" or
 *	"only skipped left ID..." and "steps K".
 *
 * helper-graph history N SEED [CULPRIT...]
 *	Write a "git fast-import" stream of about N commits on
 *	refs/heads/main, kernel-like: a mainline with commits of its own,
 *	topic branches forked from recent mainline commits and merged back,
 *	now and then two topics merging each other (criss-cross).  Commit K
 *	has mark :K and date 1700000000 + 60 * K; commit CULPRIT adds the
 *	file "culprit-CULPRIT", which all its descendants have.  The same
 *	N and SEED give the same history.  On stderr, one line per commit:
 *	"K main|topic|merge|criss".
 *
 * helper-graph bench REPO GOOD BAD [CULPRIT]
 *	Time loading the graph and each step of a bisection whose verdicts
 *	say bad exactly for the descendants of CULPRIT (default: the commit
 *	a third of the way up); prints "load_ms", "step_ms K", "total_ms".
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <git2.h>

#include "bisect/graph.h"
#include "bisect/repo-graph.h"
#include "bisect/util.h"

struct helper_graph_text {
	struct graph	 g;
	char		**names;
	size_t		 nnames_alloc;
	enum mark	*marks;
	uint32_t	 bad;
	int		 flags;
	int		 by_name;
};

static void
helper_graph_usage(void)
{
	fprintf(stderr, "usage: helper-graph next < GRAPH\n"
	    "       helper-graph repo-bisect [--first-parent] REPO GOOD BAD "
	    "ORACLE\n"
	    "       helper-graph history N SEED [CULPRIT...]\n"
	    "       helper-graph bench REPO GOOD BAD [CULPRIT]\n");
	exit(2);
}

static double
helper_graph_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static uint32_t
helper_graph_find(const struct helper_graph_text *t, const char *name)
{
	uint32_t i;

	for (i = 0; i < t->g.n; i++)
		if (strcmp(t->names[i], name) == 0)
			return i;
	return GRAPH_NONE;
}

/* The next blank-separated word of *p, NUL-terminated in place, or NULL. */
static char *
helper_graph_word(char **p)
{
	char *w;

	*p += strspn(*p, " \t");
	if (**p == '\0')
		return NULL;
	w = *p;
	*p += strcspn(*p, " \t");
	if (**p != '\0')
		*(*p)++ = '\0';
	return w;
}

static int
helper_graph_mark(struct helper_graph_text *t, enum mark m, char *words,
    int lineno, struct error *err)
{
	char *w;
	uint32_t i;

	while ((w = helper_graph_word(&words)) != NULL) {
		if ((i = helper_graph_find(t, w)) == GRAPH_NONE)
			return error_set(err, "line %d: unknown commit '%s'",
			    lineno, w);
		t->marks[i] = m;
		if (m == MARK_BAD)
			t->bad = i;
	}
	return 0;
}

static int
helper_graph_parse(struct helper_graph_text *t, FILE *fp, struct error *err)
{
	struct buf line = BUF_INIT;
	uint32_t *parents = NULL;
	size_t nparents_alloc = 0, np;
	char *w, *save, *name;
	int c, lineno = 0, rc = -1, bad_set = 0;
	enum mark m;

	for (;;) {
		buf_reset(&line);
		while ((c = getc(fp)) != EOF && c != '\n')
			buf_addch(&line, c);
		if (c == EOF && line.len == 0)
			break;
		lineno++;
		if ((w = strchr(line.s, '#')) != NULL)
			*w = '\0';
		save = line.s;
		if ((name = helper_graph_word(&save)) == NULL)
			continue;
		if (strcmp(name, "first-parent") == 0) {
			t->flags |= BISECT_FIRST_PARENT;
			continue;
		}
		if (strcmp(name, "tiebreak-by-name") == 0) {
			t->by_name = 1;
			continue;
		}
		if (strcmp(name, "good") == 0 || strcmp(name, "skip") == 0 ||
		    strcmp(name, "bad") == 0) {
			m = name[0] == 'g' ? MARK_GOOD : name[0] == 's' ?
			    MARK_SKIP : MARK_BAD;
			if (m == MARK_BAD)
				bad_set = 1;
			if (helper_graph_mark(t, m, save, lineno, err) == -1)
				goto out;
			continue;
		}
		if (helper_graph_find(t, name) != GRAPH_NONE) {
			error_set(err, "line %d: '%s' defined twice", lineno,
			    name);
			goto out;
		}
		np = 0;
		while ((w = helper_graph_word(&save)) != NULL) {
			GROW(parents, np + 1, nparents_alloc);
			parents[np++] = helper_graph_find(t, w);
		}
		GROW(t->names, t->g.n + 1, t->nnames_alloc);
		t->names[t->g.n] = xstrdup(name);
		graph_add(&t->g, parents, np);
		t->marks = xreallocarray(t->marks, t->g.n, sizeof(*t->marks));
		t->marks[t->g.n - 1] = MARK_NONE;
	}
	if (t->g.n == 0) {
		error_set(err, "no commits");
		goto out;
	}
	if (!bad_set)
		t->bad = t->g.n - 1;
	rc = 0;
out:
	free(parents);
	buf_release(&line);
	return rc;
}

static int
helper_graph_next(void)
{
	struct helper_graph_text t;
	struct bisect_result r;
	struct error err = ERROR_INIT;
	uint32_t i, j, k;
	int rc = 1;

	memset(&t, 0, sizeof(t));
	graph_init(&t.g);
	if (helper_graph_parse(&t, stdin, &err) == -1) {
		fprintf(stderr, "helper-graph: %s\n", error_msg(&err));
		goto out;
	}
	if (t.by_name) {
		t.g.tiebreak = xcalloc(t.g.n, sizeof(*t.g.tiebreak));
		for (i = 0; i < t.g.n; i++)
			for (j = 0; j < t.g.n; j++)
				if (strcmp(t.names[j], t.names[i]) < 0)
					t.g.tiebreak[i]++;
	}
	if (bisect_next(&t.g, t.marks, t.bad, t.flags, &r) == -1) {
		fprintf(stderr, "helper-graph: inconsistent marks\n");
		goto out;
	}
	switch (r.kind) {
	case BISECT_NEXT:
		printf("next %s\n", t.names[r.commit]);
		break;
	case BISECT_FOUND:
		printf("found %s\n", t.names[r.commit]);
		break;
	case BISECT_ONLY_SKIPPED:
		printf("only-skipped");
		for (k = 0; k < r.ncandidates; k++)
			printf(" %s", t.names[r.candidates[k]]);
		printf("\n");
		break;
	}
	printf("remaining %u steps %u\n", r.remaining, r.steps);
	bisect_result_release(&r);
	rc = 0;
out:
	for (i = 0; i < t.g.n; i++)
		free(t.names[i]);
	free(t.names);
	free(t.marks);
	graph_release(&t.g);
	error_clear(&err);
	return rc;
}

/* Run the oracle on a commit: its exit status, or -1. */
static int
helper_graph_oracle(const char *cmd, const char *hex)
{
	pid_t pid;
	int status;

	fflush(stdout);
	if ((pid = fork()) == -1)
		return -1;
	if (pid == 0) {
		dup2(STDERR_FILENO, STDOUT_FILENO);
		execl("/bin/sh", "sh", "-c", cmd, "sh", hex, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR)
			return -1;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

struct helper_graph_repo {
	git_repository	*repo;
	struct graph	 g;
	git_oid		*oids;
	enum mark	*marks;
};

static int
helper_graph_repo_open(struct helper_graph_repo *h, const char *path,
    const char *good, const char *bad, struct error *err)
{
	git_oid goodid, badid;

	memset(h, 0, sizeof(*h));
	graph_init(&h->g);
	if (git_repository_open(&h->repo, path) < 0)
		return error_set(err, "%s: %s", path, git_error_last()->message);
	if (repo_graph_resolve(h->repo, good, &goodid, err) == -1 ||
	    repo_graph_resolve(h->repo, bad, &badid, err) == -1)
		return -1;
	if (repo_graph_load(h->repo, &badid, &goodid, 1, &h->g, &h->oids,
	    err) == -1)
		return -1;
	h->marks = xcalloc(h->g.n, sizeof(*h->marks));
	return 0;
}

static void
helper_graph_repo_close(struct helper_graph_repo *h)
{
	free(h->marks);
	free(h->oids);
	graph_release(&h->g);
	git_repository_free(h->repo);
}

static int
helper_graph_repo_bisect(int argc, char **argv)
{
	struct helper_graph_repo h;
	struct bisect_result r;
	struct error err = ERROR_INIT;
	char hex[GIT_OID_HEXSZ + 1];
	uint32_t bad, steps = 0;
	size_t k;
	int flags = 0, st, rc = 1;

	if (argc > 1 && strcmp(argv[1], "--first-parent") == 0) {
		flags |= BISECT_FIRST_PARENT;
		argc--;
		argv++;
	}
	if (argc != 5)
		helper_graph_usage();
	if (helper_graph_repo_open(&h, argv[1], argv[2], argv[3], &err) == -1)
		goto out;
	bad = h.g.n - 1;
	h.marks[bad] = MARK_BAD;
	for (;;) {
		if (bisect_next(&h.g, h.marks, bad, flags, &r) == -1) {
			error_set(&err, "inconsistent marks");
			goto out;
		}
		if (r.kind == BISECT_FOUND) {
			git_oid_tostr(hex, sizeof(hex), &h.oids[r.commit]);
			printf("first bad commit %s\n", hex);
			break;
		}
		if (r.kind == BISECT_ONLY_SKIPPED) {
			printf("only skipped left");
			for (k = 0; k < r.ncandidates; k++) {
				git_oid_tostr(hex, sizeof(hex),
				    &h.oids[r.candidates[k]]);
				printf(" %s", hex);
			}
			printf("\n");
			break;
		}
		git_oid_tostr(hex, sizeof(hex), &h.oids[r.commit]);
		st = helper_graph_oracle(argv[4], hex);
		steps++;
		if (st == 0)
			h.marks[r.commit] = MARK_GOOD;
		else if (st == 125)
			h.marks[r.commit] = MARK_SKIP;
		else if (st > 0 && st < 128) {
			h.marks[r.commit] = MARK_BAD;
			bad = r.commit;
		} else {
			error_set(&err, "oracle failed on %s (%d)", hex, st);
			bisect_result_release(&r);
			goto out;
		}
		printf("step %u %s %s\n", steps, hex, st == 0 ? "good" :
		    st == 125 ? "skip" : "bad");
		bisect_result_release(&r);
	}
	bisect_result_release(&r);
	printf("steps %u\n", steps);
	rc = 0;
out:
	if (rc != 0)
		fprintf(stderr, "helper-graph: %s\n", error_msg(&err));
	helper_graph_repo_close(&h);
	error_clear(&err);
	return rc;
}

static int
helper_graph_bench(int argc, char **argv)
{
	struct helper_graph_repo h;
	struct bisect_result r;
	struct error err = ERROR_INIT;
	git_oid cid;
	uint8_t *isbad = NULL;
	uint32_t bad, culprit, i, k, steps = 0;
	double t0, t1, total;
	int rc = 1;

	if (argc != 4 && argc != 5)
		helper_graph_usage();
	t0 = helper_graph_ms();
	if (helper_graph_repo_open(&h, argv[1], argv[2], argv[3], &err) == -1)
		goto out;
	t1 = helper_graph_ms();
	total = t1 - t0;
	printf("commits %u\nload_ms %.1f\n", h.g.n, t1 - t0);
	culprit = h.g.n / 3;
	if (argc == 5) {
		struct repo_oidmap map;

		if (repo_graph_resolve(h.repo, argv[4], &cid, &err) == -1)
			goto out;
		repo_oidmap_init(&map, h.oids, h.g.n);
		culprit = repo_oidmap_find(&map, &cid);
		repo_oidmap_release(&map);
		if (culprit == GRAPH_NONE) {
			error_set(&err, "culprit is not a candidate");
			goto out;
		}
	}
	isbad = xcalloc(h.g.n, 1);
	isbad[culprit] = 1;
	for (i = culprit + 1; i < h.g.n; i++)
		for (k = h.g.parent_off[i]; k < h.g.parent_off[i + 1]; k++)
			if (h.g.parents[k] != GRAPH_NONE &&
			    isbad[h.g.parents[k]])
				isbad[i] = 1;
	bad = h.g.n - 1;
	for (;;) {
		t0 = helper_graph_ms();
		if (bisect_next(&h.g, h.marks, bad, 0, &r) == -1) {
			error_set(&err, "inconsistent marks");
			goto out;
		}
		t1 = helper_graph_ms();
		total += t1 - t0;
		printf("step_ms %u %.2f\n", steps + 1, t1 - t0);
		if (r.kind != BISECT_NEXT)
			break;
		steps++;
		if (isbad[r.commit]) {
			h.marks[r.commit] = MARK_BAD;
			bad = r.commit;
		} else
			h.marks[r.commit] = MARK_GOOD;
		bisect_result_release(&r);
	}
	if (r.kind != BISECT_FOUND || r.commit != culprit) {
		bisect_result_release(&r);
		error_set(&err, "bisection did not find the culprit");
		goto out;
	}
	bisect_result_release(&r);
	printf("steps %u\ntotal_ms %.1f\n", steps, total);
	rc = 0;
out:
	if (rc != 0)
		fprintf(stderr, "helper-graph: %s\n", error_msg(&err));
	free(isbad);
	helper_graph_repo_close(&h);
	error_clear(&err);
	return rc;
}

struct helper_graph_gen {
	uint32_t	 seed;
	uint32_t	 n;		/* commits written */
	uint64_t	*mask;		/* culprit files of commit K */
	size_t		 mask_alloc;
	const uint32_t	*culprits;
	size_t		 nculprits;
	const char	*kind;
};

static uint32_t
helper_graph_rand(struct helper_graph_gen *gen, uint32_t n)
{
	gen->seed = gen->seed * 1103515245u + 12345u;
	return (gen->seed >> 8) % n;
}

/* Write one commit with parents p[0..np); returns its mark. */
static uint32_t
helper_graph_commit(struct helper_graph_gen *gen, const char *ref,
    const uint32_t *p, size_t np)
{
	uint32_t k = ++gen->n;
	uint64_t mask = 0, gained;
	size_t j;

	GROW(gen->mask, k + 1, gen->mask_alloc);
	for (j = 0; j < np; j++)
		mask |= gen->mask[p[j]];
	for (j = 0; j < gen->nculprits; j++)
		if (gen->culprits[j] == k)
			mask |= (uint64_t)1 << j;
	gen->mask[k] = mask;
	gained = np > 0 ? mask & ~gen->mask[p[0]] : mask;

	printf("commit refs/heads/%s\nmark :%u\n", ref, k);
	printf("committer C O Mitter <committer@example.com> %lld +0000\n",
	    1700000000LL + 60LL * k);
	printf("data <<EOM\ncommit %u\nEOM\n", k);
	for (j = 0; j < np; j++)
		printf("%s :%u\n", j == 0 ? "from" : "merge", p[j]);
	printf("M 644 inline file%u\ndata <<EOM\n%u\nEOM\n", k % 32, k);
	for (j = 0; j < gen->nculprits; j++)
		if (gained & ((uint64_t)1 << j))
			printf("M 644 inline culprit-%u\ndata <<EOM\n%u\n"
			    "EOM\n", gen->culprits[j], gen->culprits[j]);
	printf("\n");
	fprintf(stderr, "%u %s\n", k, gen->kind);
	return k;
}

#define HELPER_GRAPH_TOPICS 12
#define HELPER_GRAPH_RECENT 64

static int
helper_graph_history(int argc, char **argv)
{
	struct helper_graph_gen gen;
	uint32_t topic[HELPER_GRAPH_TOPICS], recent[HELPER_GRAPH_RECENT];
	uint32_t culprits[64], p[2], mainline, want, r, a, b, nrecent = 0;
	size_t ntopics = 0, j;
	const char *errstr;
	long long v;
	int i;

	if (argc < 3 || argc - 3 > 64)
		helper_graph_usage();
	memset(&gen, 0, sizeof(gen));
	if (parse_ll(argv[1], 1, 10000000, &v, &errstr) == -1)
		helper_graph_usage();
	want = (uint32_t)v;
	if (parse_ll(argv[2], 0, UINT32_MAX, &v, &errstr) == -1)
		helper_graph_usage();
	gen.seed = (uint32_t)v;
	for (i = 3; i < argc; i++) {
		if (parse_ll(argv[i], 1, 10000000, &v, &errstr) == -1)
			helper_graph_usage();
		culprits[i - 3] = (uint32_t)v;
	}
	gen.culprits = culprits;
	gen.nculprits = (size_t)(argc - 3);

	gen.kind = "main";
	mainline = helper_graph_commit(&gen, "main", NULL, 0);
	while (gen.n < want) {
		r = helper_graph_rand(&gen, 100);
		if (r < 30 || (ntopics == 0 && r >= 40)) {
			gen.kind = "main";
			mainline = helper_graph_commit(&gen, "main", &mainline,
			    1);
			recent[nrecent++ % HELPER_GRAPH_RECENT] = mainline;
		} else if (r < 40) {
			if (ntopics == HELPER_GRAPH_TOPICS)
				continue;
			p[0] = nrecent == 0 ? mainline : recent[
			    helper_graph_rand(&gen, nrecent <
			    HELPER_GRAPH_RECENT ? nrecent :
			    HELPER_GRAPH_RECENT)];
			gen.kind = "topic";
			topic[ntopics++] = helper_graph_commit(&gen, "topic",
			    p, 1);
		} else if (r < 88) {
			a = helper_graph_rand(&gen, (uint32_t)ntopics);
			gen.kind = "topic";
			topic[a] = helper_graph_commit(&gen, "topic",
			    &topic[a], 1);
		} else if (r < 98 || ntopics < 2) {
			a = helper_graph_rand(&gen, (uint32_t)ntopics);
			p[0] = mainline;
			p[1] = topic[a];
			topic[a] = topic[--ntopics];
			gen.kind = "merge";
			mainline = helper_graph_commit(&gen, "main", p, 2);
			recent[nrecent++ % HELPER_GRAPH_RECENT] = mainline;
		} else {
			a = helper_graph_rand(&gen, (uint32_t)ntopics);
			b = (a + 1 + helper_graph_rand(&gen,
			    (uint32_t)ntopics - 1)) % (uint32_t)ntopics;
			gen.kind = "criss";
			p[0] = topic[a];
			p[1] = topic[b];
			topic[a] = helper_graph_commit(&gen, "topic", p, 2);
			p[1] = p[0];
			p[0] = topic[b];
			topic[b] = helper_graph_commit(&gen, "topic", p, 2);
		}
	}
	for (j = 0; j < ntopics; j++) {
		p[0] = mainline;
		p[1] = topic[j];
		gen.kind = "merge";
		mainline = helper_graph_commit(&gen, "main", p, 2);
	}
	free(gen.mask);
	return fflush(stdout) != 0 ? 1 : 0;
}

int
main(int argc, char **argv)
{
	int rc;

	if (argc < 2)
		helper_graph_usage();
	if (strcmp(argv[1], "next") == 0) {
		if (argc != 2)
			helper_graph_usage();
		return helper_graph_next();
	}
	git_libgit2_init();
	if (strcmp(argv[1], "repo-bisect") == 0)
		rc = helper_graph_repo_bisect(argc - 1, argv + 1);
	else if (strcmp(argv[1], "history") == 0)
		rc = helper_graph_history(argc - 1, argv + 1);
	else if (strcmp(argv[1], "bench") == 0)
		rc = helper_graph_bench(argc - 1, argv + 1);
	else
		helper_graph_usage();
	git_libgit2_shutdown();
	if (fflush(stdout) != 0 || ferror(stdout))
		rc = 1;
	return rc;
}
