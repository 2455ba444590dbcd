/*
 * world/catalog.h: what the emulated cafeboo world contains, as data: every
 * Python package (name, version, real wheel size) that any commit of the
 * generated repository's requirements.txt names, and the model files the
 * Dockerfiles download. Sizes are the real ones (scale 1); the world
 * multiplies them by the scenario's scale.
 */
#ifndef BENCH_WORLD_CATALOG_H
#define BENCH_WORLD_CATALOG_H

#include <stddef.h>

struct catalog_pkg {
	const char *name;    /* PEP 503 normalised name, e.g. "nvidia-cublas-cu12" */
	const char *version; /* e.g. "12.4.5.8" */
	double real_mb;      /* size of the real manylinux wheel in MB (1e6 bytes) */
};

struct catalog_model {
	const char *url_path; /* under /storage/, e.g. "ai_model_cafeboo/embedding_model.tar.gz" */
	double real_mb;       /* size of the real file */
	int is_targz;         /* 1: a .tar.gz of a model folder; 0: a single binary file */
};

/* Every package any commit needs (all versions), plus google-genai. */
const struct catalog_pkg *catalog_packages(size_t *count);
/* The model files served under /storage/. */
const struct catalog_model *catalog_models(size_t *count);

#endif
