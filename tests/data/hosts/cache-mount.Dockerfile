# tests/it_backends.c: a RUN that appends a line to a file in a cache mount
# and prints the file's line count. On an ephemeral runner the count grows
# from build to build only when the mount's content is carried between them
# (cache_mounts: the cache dance).
ARG BASE_IMAGE=bench/busybox:latest
FROM ${BASE_IMAGE}
COPY ai_project/requirements.txt /req.txt
RUN --mount=type=cache,target=/var/cache/it,id=it-dance,sharing=locked \
    echo line >> /var/cache/it/lines && wc -l < /var/cache/it/lines
