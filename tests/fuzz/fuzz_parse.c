/* SPDX-License-Identifier: MIT */
/*
 * fuzz_parse.c - libFuzzer target for the metric parsers and selectors.
 *
 * Input layout: byte 0 picks the mode; for a parser, bytes up to the
 * first newline are its argument (regex, JSON path, CSV column, netperf
 * selectors), the rest is the output.  Modes:
 *   0..12   parse_output() with the (n % 13)th parser
 *   13      metric_sel_resolve() on the rest as a selector, then
 *           metric_sel_extract() on the same bytes as both streams
 * Build and run with "make fuzz" (clang -fsanitize=fuzzer,address).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bisect/util.h"
#include "metrics/bench.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct bench_set fuzz_set;
static int fuzz_loaded;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *const *parsers = parse_parsers();
	struct error err = ERROR_INIT;
	struct metric_values vals;
	struct metric_sel sel;
	struct buf warn = BUF_INIT;
	const char *text, *nl;
	size_t nparsers, mode, len;
	char *arg = NULL, *s;
	double v;

	if (size < 1)
		return 0;
	if (!fuzz_loaded) {
		bench_set_init(&fuzz_set);
		if (bench_set_load(&fuzz_set, NULL, &err) == -1)
			abort();
		fuzz_loaded = 1;
	}
	for (nparsers = 0; parsers[nparsers]; nparsers++)
		;
	mode = data[0] % (nparsers + 1);
	text = (const char *)data + 1;
	len = size - 1;
	if (mode == nparsers) {
		s = xstrndup(text, len);
		if (metric_sel_resolve(&fuzz_set, s, &sel, &err) == 0) {
			metric_sel_extract(&sel, text, len, text, len, &v,
			    &warn, &err);
			metric_sel_release(&sel);
		}
		free(s);
		goto out;
	}
	if ((nl = memchr(text, '\n', len)) != NULL) {
		arg = xstrndup(text, (size_t)(nl - text));
		len -= (size_t)(nl - text) + 1;
		text = nl + 1;
	}
	metric_values_init(&vals);
	if (parse_check_arg(parsers[mode], arg, &err) == 0)
		parse_output(parsers[mode], arg, text, len, &vals, &err);
	metric_values_release(&vals);
	free(arg);
out:
	buf_release(&warn);
	error_clear(&err);
	return 0;
}
