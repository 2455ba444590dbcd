# The tiny multi-stage Dockerfile with a slower final stage: two seconds more
# after the code copy, so every build (warm ones too) takes longer while the
# same steps stay cached. The A/B recordings of a pure slowdown
# (aa-slow.ini) build the cached variants from it.
FROM bench/busybox:latest AS base
RUN echo base > /base.txt

FROM base AS deps
COPY deps.txt /deps.txt
RUN sleep 1 && dd if=/dev/urandom of=/deps.bin bs=1024 count=1024 2>/dev/null && cat /deps.txt

FROM deps AS final
COPY . /app
RUN if [ -f /app/FAIL ]; then echo "FAIL marker present" >&2; exit 3; fi; sleep 2
CMD ["/app/app/main.sh"]
