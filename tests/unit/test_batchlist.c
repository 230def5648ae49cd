/* SPDX-License-Identifier: MIT */
/*
 * test_batchlist.c - the regression list parser of "perfbisect batch":
 * a table of lists, each with the entries it must give (rendered as
 * "NAME|GOOD|BAD|METRIC|TARGET|OV1,OV2;" ...) or the one error line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bisect/batchlist.h"
#include "bisect/util.h"

struct tb_case {
	const char	*text;
	const char	*expect;	/* rendered entries, or NULL */
	const char	*error;		/* the message, or NULL */
};

static const struct tb_case tb_cases[] = {
	{ "a v1 v2 m:x\n", "a|v1|v2|m:x||;", NULL },
	{ "# c\n\n  a\tv1 v2 m:x   # late\nb g b m stats.runs=1 target=t\n",
	    "a|v1|v2|m:x||;b|g|b|m|t|stats.runs=1;", NULL },
	{ "a v1 v2 m:x@size=64 'benchmark.b.command=./x -y'\n",
	    "a|v1|v2|m:x@size=64||benchmark.b.command=./x -y;", NULL },
	{ "a v1 v2 m \"k.v=a \\\"q\\\" \\\\\" k.w=x\\ y\n",
	    "a|v1|v2|m||k.v=a \"q\" \\,k.w=x y;", NULL },
	{ "a v1 v2 m#x\n", "a|v1|v2|m#x||;", NULL },
	{ "a v1 v2 m:x", "a|v1|v2|m:x||;", NULL },
	{ "", NULL, "L: no regressions in the list" },
	{ "# only\n\n", NULL, "L: no regressions in the list" },
	{ "a v1 v2 m\nb v1 v2\n", NULL,
	    "L:2: expected NAME GOOD BAD METRIC [key=value...]" },
	{ "a v1 v2 m\na v1 v2 m\n", NULL,
	    "L:2: regression 'a' is already on line 1" },
	{ "../x v1 v2 m\n", NULL, "L:1: bad regression name '../x' (letters, "
	    "digits, '.', '_' and '-', at most 64)" },
	{ "a v1 v2 m runs\n", NULL, "L:1: expected key=value, got 'runs'" },
	{ "a v1 v2 m =1\n", NULL, "L:1: expected key=value, got '=1'" },
	{ "a v1 v2 m runs=1\n", NULL, "L:1: unknown setting 'runs' (expected "
	    "target= or section.key=)" },
	{ "a v1 v2 m target=\n", NULL, "L:1: empty target=" },
	{ "a v1 v2 m 'k.v=x\n", NULL, "L:1: unterminated '" },
	{ "a v1 v2 m \"k.v=x\n", NULL, "L:1: unterminated \"" },
	{ "a v1 '' m\n", NULL, "L:1: expected NAME GOOD BAD METRIC "
	    "[key=value...], got '' as the BAD" },
};

static void
tb_render(const struct batch_list *l, struct buf *out)
{
	size_t i, j;

	for (i = 0; i < l->n; i++) {
		const struct batch_entry *e = &l->e[i];

		buf_addf(out, "%s|%s|%s|%s|%s|", e->name, e->good, e->bad,
		    e->metric, e->target ? e->target : "");
		for (j = 0; j < e->noverrides; j++)
			buf_addf(out, "%s%s", j ? "," : "", e->overrides[j]);
		buf_addch(out, ';');
	}
}

static void
test_batchlist_table(void **state)
{
	struct batch_list l;
	struct error err = ERROR_INIT;
	struct buf got = BUF_INIT;
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(tb_cases); i++) {
		const struct tb_case *c = &tb_cases[i];

		buf_reset(&got);
		error_clear(&err);
		rc = batch_list_parse(&l, "L", c->text, strlen(c->text), &err);
		if (c->error) {
			if (rc == 0 || strcmp(error_msg(&err), c->error) != 0)
				fail_msg("case %zu: want error '%s', got rc %d "
				    "'%s'", i, c->error, rc, error_msg(&err));
			assert_int_equal(l.n, 0);
			continue;
		}
		if (rc < 0)
			fail_msg("case %zu: %s", i, error_msg(&err));
		tb_render(&l, &got);
		if (strcmp(got.s, c->expect) != 0)
			fail_msg("case %zu: want '%s', got '%s'", i, c->expect,
			    got.s);
		batch_list_release(&l);
	}
	buf_release(&got);
	error_clear(&err);
}

static void
test_batchlist_nul(void **state)
{
	struct batch_list l;
	struct error err = ERROR_INIT;
	static const char text[] = "a v1 v2 m\0b v1 v2 m\n";

	(void)state;
	assert_int_equal(batch_list_parse(&l, "L", text, sizeof(text) - 1,
	    &err), -1);
	assert_string_equal(error_msg(&err), "L: not a text file");
	error_clear(&err);
}

static void
test_batchlist_names(void **state)
{
	(void)state;
	assert_true(batch_name_ok("udp-send_64.v2"));
	assert_false(batch_name_ok(""));
	assert_false(batch_name_ok(".hidden"));
	assert_false(batch_name_ok("-opt"));
	assert_false(batch_name_ok("a/b"));
	assert_false(batch_name_ok("a b"));
	assert_true(batch_name_ok("0123456789012345678901234567890123456789"
	    "012345678901234567890123"));
	assert_false(batch_name_ok("0123456789012345678901234567890123456789"
	    "0123456789012345678901234"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_batchlist_table),
		cmocka_unit_test(test_batchlist_nul),
		cmocka_unit_test(test_batchlist_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
