# tests/it_backends.c: a small multi-stage build of the world's generated
# repository on the world's base image (bench/busybox:latest in the test):
# a base step, a 512 KiB layer that depends only on requirements.txt, and
# the code. Cached steps on an ephemeral runner can only come from the cache
# backend.
ARG BASE_IMAGE=bench/busybox:latest
FROM ${BASE_IMAGE} AS base
RUN echo base > /base.txt

FROM base AS deps
COPY ai_project/requirements.txt /req.txt
RUN dd if=/dev/urandom of=/deps.bin bs=1024 count=512 2>/dev/null && wc -l < /req.txt

FROM deps AS final
COPY ai_project/ /app/
