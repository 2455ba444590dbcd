/*
 * world_engine.h: the engine operations the run lends the world
 * (world/baseimage.h's world_engine_ops): the docker CLI's, from
 * builders/docker.c, so world/ includes nothing of builders/.
 */
#ifndef BENCH_RUN_WORLD_ENGINE_H
#define BENCH_RUN_WORLD_ENGINE_H

#include "world/baseimage.h"

/* The engine's name (builders/engine.h, "default" for NULL) and
 * docker_image_exists, docker_image_remove, docker_import_argv,
 * docker_run_argv. Static: nothing to free. */
extern const struct world_engine_ops run_world_engine_ops;

#endif
