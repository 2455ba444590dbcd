/*
 * world_engine.c: the world's engine operations (world_engine.h), the
 * docker CLI's: world/ asks for them through world_engine_ops, the run
 * hands it this table.
 */
#include "run/world_engine.h"

#include "builders/docker.h"
#include "builders/engine.h"

static const char *engine_name(const struct engine *e)
{
	return e && e->name ? e->name : "default";
}

const struct world_engine_ops run_world_engine_ops = {
	.name = engine_name,
	.image_exists = docker_image_exists,
	.image_remove = docker_image_remove,
	.import_argv = docker_import_argv,
	.run_argv = docker_run_argv,
};
