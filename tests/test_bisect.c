/* test_bisect.c: unit tests for bisect.c, the decision logic of bench
 * bisect, on recorded probes made up here: each probe bisect_step asks for
 * is "built" by appending its two build records, as the run would. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "results/bisect.h"
#include "lib/error.h"
#include "lib/jsonx.h"
#include "lib/util.h"

#define MAXN 40

/* A made-up first-parent chain: commit k has id "k" as 40 hex digits; the
 * range is commits 1..n, so its good end is commit 0. */
struct chain {
	struct commit_info c[MAXN + 1];
	size_t n;
};

static void hex_id(char out[41], size_t k)
{
	snprintf(out, 41, "%040zx", k + 0xa0);
}

static void chain_init(struct chain *ch, size_t n)
{
	size_t k;

	memset(ch, 0, sizeof(*ch));
	ch->n = n;
	for (k = 0; k <= n; k++) {
		struct commit_info *c = &ch->c[k];
		hex_id(c->id, k);
		memcpy(c->short_id, c->id + 33, 7);
		if (k)
			hex_id(c->parent, k - 1);
		c->subject = xasprintf("commit %zu", k);
	}
}

static void chain_release(struct chain *ch)
{
	size_t k;
	for (k = 0; k <= ch->n; k++)
		free(ch->c[k].subject);
}

/* What a probe at commit k measures: status of the commit's build, its
 * cached steps and wall seconds (a noise term is added per probe). */
struct truth {
	size_t culprit;            /* first bad commit (1..n), or 0: none */
	const bool *fails;         /* per commit: its build fails */
	double good_s, bad_s;      /* warm seconds of good and bad commits */
	double good_end_s;         /* the good end's */
	bool good_end_fails;
	bool good_end_uncached;    /* the good end's probe reuses no cached step */
	int probes;                /* made so far */
};

static size_t index_of(const struct chain *ch, const char *id)
{
	size_t k;
	for (k = 0; k <= ch->n; k++)
		if (!strcmp(ch->c[k].id, id))
			return k;
	fail_msg("probe of an unknown commit %s", id);
	return 0;
}

static void add_build(json_t *builds, int number, int index, const struct commit_info *c,
		      const char *status, int cached, double seconds)
{
	json_array_append_new(builds, json_pack("{s:s, s:i, s:i, s:s, s:s, s:s, s:s, s:i, s:i, s:f}",
		"variant", "v", "repetition", number, "index", index, "commit", c->id, "short", c->short_id,
		"subject", c->subject, "status", status, "steps_cached", cached, "steps_total", 4,
		"wall_seconds", seconds));
}

/* Run the bisection to its verdict, "building" every probe it asks for. */
static void bisect_to_end(struct bisect_result *res, const struct bisect_config *cfg,
			  const struct chain *ch, struct truth *t, json_t *builds)
{
	for (;;) {
		size_t k;
		bool bad, fails;
		double noise;

		if (bisect_step(res, cfg, ch->c + 1, ch->n, builds) != 0)
			fail_msg("bisect_step: %s", bench_error_last());
		if (res->verdict != BISECT_PROBE)
			return;
		assert_true(t->probes < 200);
		k = index_of(ch, res->probe_commit);
		bad = t->culprit && k >= t->culprit;
		fails = k ? t->fails && t->fails[k] : t->good_end_fails;
		noise = 0.01 * (t->probes % 5); /* small, deterministic */
		add_build(builds, res->probe_number, 1, &ch->c[k ? k - 1 : 0], "ok", 0, 5);
		add_build(builds, res->probe_number, 2, &ch->c[k], fails ? "failed" : "ok",
			  !k && t->good_end_uncached ? 0 : bad ? 1 : 3,
			  (!k ? t->good_end_s : bad ? t->bad_s : t->good_s) + noise);
		t->probes++;
		bisect_result_release(res);
	}
}

static size_t ceil_log2(size_t n)
{
	size_t b = 0;
	while (((size_t)1 << b) < n)
		b++;
	return b;
}

static const struct bisect_config steps_cfg = {"v", BISECT_CACHED_STEPS, 0.15, 5};

/* Every culprit position of ranges of 1 to 33 commits is found exactly, in
 * at most 2 + ceil(log2(N)) probes: the good end, the bad end, the halving. */
static void test_found_in_log2_probes(void **state)
{
	size_t n, culprit;
	(void)state;

	for (n = 1; n <= 33; n++) {
		for (culprit = 1; culprit <= n; culprit++) {
			struct chain ch;
			struct truth t = {.culprit = culprit};
			struct bisect_result res;
			json_t *builds = json_array();

			chain_init(&ch, n);
			bisect_to_end(&res, &steps_cfg, &ch, &t, builds);
			if (res.verdict != BISECT_FOUND || res.culprit != culprit - 1)
				fail_msg("n %zu culprit %zu: %s %zu (%s)", n, culprit,
					 bisect_verdict_name(res.verdict), res.culprit, res.reason);
			assert_int_equal(res.probe_count, t.probes);
			assert_true((size_t)res.probe_count <= 2 + ceil_log2(n));
			assert_int_equal(json_array_size(res.probes), t.probes);
			assert_non_null(res.good_build);
			assert_string_equal(json_str(res.culprit_build, "commit"), ch.c[culprit].id);
			bisect_result_release(&res);
			json_decref(builds);
			chain_release(&ch);
		}
	}
}

static void test_none_in_two_probes(void **state)
{
	struct chain ch;
	struct truth t = {0};
	struct bisect_result res;
	json_t *builds = json_array();
	(void)state;

	chain_init(&ch, 16);
	bisect_to_end(&res, &steps_cfg, &ch, &t, builds);
	assert_int_equal(res.verdict, BISECT_NONE);
	assert_int_equal(res.probe_count, 2);
	assert_non_null(strstr(res.reason, "no commit of the range broke the cache"));
	assert_non_null(strstr(res.reason, "3 cached steps against the good end's 3"));
	assert_string_equal(json_str(json_array_get(res.probes, 0), "role"), "good end");
	assert_string_equal(json_str(json_array_get(res.probes, 1), "verdict"), "good");
	bisect_result_release(&res);
	json_decref(builds);
	chain_release(&ch);
}

/* A commit that fails to build is skipped, as git bisect skip does. */
static void test_skip_failed_commits(void **state)
{
	struct chain ch;
	bool fails[MAXN + 1] = {0};
	struct truth t = {.culprit = 7, .fails = fails};
	struct bisect_result res;
	json_t *builds = json_array();
	(void)state;

	fails[5] = true; /* commit 5 is skipped, 4 and 6 probed instead */
	chain_init(&ch, 10);
	bisect_to_end(&res, &steps_cfg, &ch, &t, builds);
	assert_int_equal(res.verdict, BISECT_FOUND);
	assert_int_equal(res.culprit, 6);
	bisect_result_release(&res);
	json_decref(builds);

	/* the culprit behind failing commits only: undecided, naming them */
	builds = json_array();
	t = (struct truth){.culprit = 3, .fails = fails};
	memset(fails, 0, sizeof(fails));
	fails[1] = fails[2] = true;
	chain_release(&ch);
	chain_init(&ch, 4);
	bisect_to_end(&res, &steps_cfg, &ch, &t, builds);
	assert_int_equal(res.verdict, BISECT_UNDECIDED);
	if (!strstr(res.reason, "the first bad commit is one of"))
		fail_msg("%s", res.reason);
	assert_non_null(strstr(res.reason, ch.c[1].short_id));
	assert_non_null(strstr(res.reason, ch.c[3].short_id));
	bisect_result_release(&res);
	json_decref(builds);
	chain_release(&ch);
}

static void test_good_end_fails(void **state)
{
	struct chain ch;
	struct truth t = {.culprit = 2, .good_end_fails = true};
	struct bisect_result res;
	json_t *builds = json_array();
	(void)state;

	chain_init(&ch, 4);
	bisect_to_end(&res, &steps_cfg, &ch, &t, builds);
	assert_int_equal(res.verdict, BISECT_UNDECIDED);
	assert_non_null(strstr(res.reason, "the good end"));
	assert_int_equal(res.probe_count, 1);
	bisect_result_release(&res);
	json_decref(builds);

	/* a good end that reuses nothing leaves cached_steps nothing to tell */
	builds = json_array();
	t = (struct truth){.culprit = 2, .good_end_uncached = true};
	bisect_to_end(&res, &steps_cfg, &ch, &t, builds);
	assert_int_equal(res.verdict, BISECT_UNDECIDED);
	assert_non_null(strstr(res.reason, "reused no cached step"));
	bisect_result_release(&res);
	json_decref(builds);
	chain_release(&ch);
}

/* warm_seconds: one probe against one cannot tell 2x from noise, so the
 * probe and the good end are repeated until 4 against 4 decides. */
static void test_time_repeats_until_decided(void **state)
{
	const struct bisect_config cfg = {"v", BISECT_WARM_SECONDS, 0.15, 5};
	struct chain ch;
	struct truth t = {.culprit = 3, .good_s = 10.2, .bad_s = 20, .good_end_s = 10};
	struct bisect_result res;
	json_t *builds = json_array(), *p;
	size_t i, again = 0;
	(void)state;

	chain_init(&ch, 4);
	bisect_to_end(&res, &cfg, &ch, &t, builds);
	assert_int_equal(res.verdict, BISECT_FOUND);
	assert_int_equal(res.culprit, 2);
	json_array_foreach(res.probes, i, p)
		again += !strcmp(json_str(p, "role"), "again");
	/* the bad end (20 s) took 4 probes against 4 of the good end; the
	 * good commits (within 15%) are decided by one probe each */
	assert_int_equal(again, 5); /* 3 for the bad end, 2 for commit 3 (5 of the good end by then) */
	assert_string_equal(json_str(json_array_get(res.probes, 1), "verdict"), "inconclusive");
	bisect_result_release(&res);
	json_decref(builds);

	/* a cap of 2 probes each can never reach p < 0.05: undecided, saying why */
	{
		const struct bisect_config two = {"v", BISECT_WARM_SECONDS, 0.15, 2};
		builds = json_array();
		t = (struct truth){.culprit = 3, .good_s = 10.2, .bad_s = 20, .good_end_s = 10};
		bisect_to_end(&res, &two, &ch, &t, builds);
		assert_int_equal(res.verdict, BISECT_UNDECIDED);
		assert_non_null(strstr(res.reason, "still inconclusive after 2 probes against 2"));
		bisect_result_release(&res);
		json_decref(builds);
	}
	chain_release(&ch);
}

/* A recorded probe that is not the one this bisection makes is refused; an
 * interrupted one is ignored and made again under a new number. */
static void test_resume_checks(void **state)
{
	struct chain ch;
	struct bisect_result res;
	json_t *builds = json_array();
	(void)state;

	chain_init(&ch, 4);
	add_build(builds, 1, 1, &ch.c[0], "ok", 0, 1);
	add_build(builds, 1, 2, &ch.c[1], "ok", 3, 1); /* the good end is commit 0, not 1 */
	assert_int_equal(bisect_step(&res, &steps_cfg, ch.c + 1, 4, builds), BENCH_EINVALID);
	assert_non_null(strstr(bench_error_last(), "resume it with the scenario"));
	bisect_result_release(&res);
	json_decref(builds);

	builds = json_array();
	add_build(builds, 1, 1, &ch.c[0], "ok", 0, 1);
	add_build(builds, 1, 2, &ch.c[0], "ok", 3, 1);
	add_build(builds, 2, 1, &ch.c[3], "ok", 0, 1);
	add_build(builds, 2, 2, &ch.c[4], "interrupted", 0, 1);
	assert_int_equal(bisect_step(&res, &steps_cfg, ch.c + 1, 4, builds), 0);
	assert_int_equal(res.verdict, BISECT_PROBE);
	assert_string_equal(res.probe_commit, ch.c[4].id);
	assert_int_equal(res.probe_number, 3);
	bisect_result_release(&res);
	json_decref(builds);

	/* a root commit has no good end before it */
	builds = json_array();
	ch.c[1].parent[0] = '\0';
	assert_int_equal(bisect_step(&res, &steps_cfg, ch.c + 1, 4, builds), BENCH_EINVALID);
	assert_non_null(strstr(bench_error_last(), "a root commit"));
	bisect_result_release(&res);
	json_decref(builds);
	chain_release(&ch);
}

static void test_broken_steps(void **state)
{
	static const char dockerfile[] =
		"# moved the code before the dependencies\n"
		"FROM bench/busybox:latest\n"
		"COPY . /app\n"
		"COPY deps.txt /deps.txt\n"
		"RUN  sleep 0 && \\\n"
		"     cat /deps.txt\n"
		"RUN echo done\n";
	json_t *good = json_pack("{s:[{s:s,s:b},{s:s,s:b},{s:s,s:b},{s:s,s:b},{s:s,s:b}]}", "steps",
		"name", "[internal] load build context", "cached", 0,
		"name", "[2/4] COPY deps.txt /deps.txt", "cached", 1,
		"name", "[3/4] RUN sleep 0 &&      cat /deps.txt", "cached", 1,
		"name", "[4/4] COPY . /app", "cached", 0,
		"name", "[1/4] FROM docker.io/bench/busybox:latest", "cached", 1);
	json_t *bad = json_pack("{s:[{s:s,s:b},{s:s,s:b},{s:s,s:b},{s:s,s:b}]}", "steps",
		"name", "[2/5] COPY . /app", "cached", 0,
		"name", "[3/5] COPY deps.txt /deps.txt", "cached", 0,
		"name", "[4/5] RUN sleep 0 &&      cat /deps.txt", "cached", 0,
		"name", "[5/5] RUN echo done", "cached", 0);
	json_t *broken = bisect_broken_steps(good, bad, dockerfile);
	(void)state;

	assert_int_equal(json_array_size(broken), 2);
	assert_string_equal(json_str(json_array_get(broken, 0), "step"), "COPY deps.txt /deps.txt");
	assert_int_equal(json_num(json_array_get(broken, 0), "line", 0), 4);
	assert_string_equal(json_str(json_array_get(broken, 1), "step"), "RUN sleep 0 && cat /deps.txt");
	assert_int_equal(json_num(json_array_get(broken, 1), "line", 0), 5);
	json_decref(broken);
	broken = bisect_broken_steps(good, bad, NULL);
	assert_true(json_is_null(json_object_get(json_array_get(broken, 0), "line")));
	json_decref(broken);
	json_decref(good);
	json_decref(bad);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_found_in_log2_probes),
		cmocka_unit_test(test_none_in_two_probes),
		cmocka_unit_test(test_skip_failed_commits),
		cmocka_unit_test(test_good_end_fails),
		cmocka_unit_test(test_time_repeats_until_decided),
		cmocka_unit_test(test_resume_checks),
		cmocka_unit_test(test_broken_steps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
