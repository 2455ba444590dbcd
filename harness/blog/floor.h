/*
 * floor.h: the bytes each warm build of the cafeboo run moved, beside the
 * floor: what a build of that kind must move whatever the cache does.
 *
 *   - a code-only warm build (its dependencies came from the cache) must
 *     upload its code layer and manifests, a few kilobytes: the smallest
 *     upload of any code-only build of the run (all build the same code);
 *     nothing needs to come down but manifests;
 *   - a dependency bump must also fetch the wheels pip installs (the index's
 *     bytes) and upload the new dependency layer, about their size (wheels
 *     are compressed already): the code floor plus twice the wheels (the
 *     smallest index download of any bump of the run).
 * Above the floor: the registry bytes a build received (layers pulled from a
 * registry cache or to store the image), the actions/cache folder restored
 * and saved (cache = local: its size, twice), and the image stored in the
 * engine (push_mode = load).
 */
#ifndef BENCH_FLOOR_H
#define BENCH_FLOOR_H

#include <jansson.h>
#include <stdio.h>

/*
 * Per cached variant of the run (cache other than none) and per kind of warm
 * build ("code-only", "deps bump"): the medians over its ok warm builds of
 * index_bytes, registry_down_bytes, registry_up_bytes, cache_bytes (moved
 * through actions/cache), stored_bytes, moved_bytes (their sum), floor_bytes
 * and builds. New reference; never NULL (an empty object when no variant
 * has a warm build).
 */
json_t *floor_evaluate(json_t *run);

/* Print the evaluation as a table (nothing when it is empty). */
void floor_print(FILE *f, json_t *evaluation);

#endif
