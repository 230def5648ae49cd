/* SPDX-License-Identifier: MIT */
/*
 * target.c - choosing a target by name, and the records targets fill.
 */
#include <stdlib.h>
#include <string.h>

#include "bisect/config.h"
#include "kexec/target.h"

void
artifact_release(struct artifact *a)
{
	free(a->commit);
	free(a->dir);
	free(a->image);
	free(a->initrd);
	free(a->modules);
	free(a->release);
	memset(a, 0, sizeof(*a));
}

void
boot_info_release(struct boot_info *b)
{
	free(b->release);
	free(b->boot_id);
	free(b->cmdline);
	memset(b, 0, sizeof(*b));
}

void
run_result_init(struct run_result *r)
{
	memset(r, 0, sizeof(*r));
	r->status = -1;
	buf_init(&r->out);
	buf_init(&r->err);
}

void
run_result_release(struct run_result *r)
{
	buf_release(&r->out);
	buf_release(&r->err);
	run_result_init(r);
}

int
target_from_config(struct target **out, struct config *cfg, const char *name,
    const char *workdir, struct error *err)
{
	struct target *t;
	const char *host, *kind = NULL;
	char *key;
	long long ms = 0;
	int rc;

	/* [target "NAME"] kind = local: this machine under another name. */
	if (strcmp(name, "local") != 0) {
		key = xasprintf("target.%s.kind", name);
		rc = config_get_string(cfg, key, &kind, err);
		free(key);
		if (rc < 0)
			return -1;
		if (kind != NULL && strcmp(kind, "local") != 0 &&
		    strcmp(kind, "ssh") != 0 && strcmp(kind, "sim") != 0)
			return error_set(err, "%s: bad value '%s' for "
			    "'target.%s.kind': expected local, ssh or sim",
			    config_path(cfg), kind, name);
		if (kind != NULL && strcmp(kind, "sim") == 0)
			return target_sim_new(out, cfg, name, workdir, err);
	}
	if (strcmp(name, "local") != 0 && (kind == NULL ||
	    strcmp(kind, "ssh") == 0)) {
		key = xasprintf("target.%s.host", name);
		rc = config_get_string(cfg, key, &host, err);
		free(key);
		if (rc < 0)
			return -1;
		if (host == NULL)
			return error_set(err, "unknown target '%s' (no "
			    "target.%s.host in %s; 'local' is built in)",
			    name, name, config_path(cfg));
		return target_ssh_new(out, cfg, name, err);
	}
	t = xcalloc(1, sizeof(*t));
	t->ops = &target_local_ops;
	t->name = xstrdup(name);
	t->workdir = xstrdup(workdir);
	t->run_timeout_ms = 0;
	key = xasprintf("target.%s.runTimeout", name);
	rc = config_get_duration_ms(cfg, key, &ms, err);
	free(key);
	if (rc < 0) {
		target_free(t);
		return -1;
	}
	t->run_timeout_ms = ms;
	*out = t;
	return 0;
}

void
target_free(struct target *t)
{
	if (t == NULL)
		return;
	if (t->ops && t->ops->close)
		t->ops->close(t);
	free(t->name);
	free(t->workdir);
	free(t);
}
