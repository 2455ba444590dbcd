/*
 * dockerfile.h: what bench reads in a Dockerfile itself: the images it
 * builds on, so that a builder with a store of its own (buildah) can be
 * given them before the build (builder_prepare). Not a Dockerfile parser:
 * only FROM, COPY/ADD --from= and RUN --mount=...,from= are looked at.
 */
#ifndef BENCH_DOCKERFILE_H
#define BENCH_DOCKERFILE_H

#include "lib/util.h"

/* Append to out the images the Dockerfile at path builds on, each once, in
 * order: the FROM images that are not earlier stages, and the --from= of
 * COPY/ADD and the from= of RUN --mount that name neither a stage nor a
 * stage number. ${NAME} and $NAME are expanded from build_args ("KEY=VALUE",
 * NULL-terminated, or NULL) and the defaults of the ARGs before the first
 * FROM; "scratch" and a value that still holds a '$' are left out.
 * Instructions are case-insensitive, lines may continue with a trailing
 * backslash, and '#' lines are comments. BENCH_EIO when the file cannot be
 * read. */
int dockerfile_base_images(struct strvec *out, const char *path, const char *const *build_args);

#endif
