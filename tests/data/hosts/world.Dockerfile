# tests/it_hosts.c: a small multi-stage build of the world's generated
# repository that reaches the world's index over the network of the engine
# it runs on (for an engine on the second host: its namespace's link to this
# one), a 512 KiB layer that depends only on requirements.txt, and the code.
ARG BASE_IMAGE=bench/busybox:latest
FROM ${BASE_IMAGE} AS base
ARG PIP_INDEX_URL
RUN wget -q -O /index.html "$PIP_INDEX_URL" && grep -c href /index.html

FROM base AS deps
COPY ai_project/requirements.txt /req.txt
RUN dd if=/dev/urandom of=/deps.bin bs=1024 count=512 2>/dev/null && wc -l < /req.txt

FROM deps AS final
COPY ai_project/ /app/
