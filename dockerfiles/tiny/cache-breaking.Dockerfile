# The tiny multi-stage Dockerfile with caching broken on purpose: the code is
# copied before the dependency step, so every commit re-runs it. Used to prove
# that `bench gate` catches a change that breaks layer caching.
FROM bench/busybox:latest AS base
RUN echo base > /base.txt
COPY . /app

FROM base AS deps
RUN sleep 1 && dd if=/dev/urandom of=/deps.bin bs=1024 count=1024 2>/dev/null && cat /app/deps.txt

FROM deps AS final
RUN if [ -f /app/FAIL ]; then echo "FAIL marker present" >&2; exit 3; fi
CMD ["/app/app/main.sh"]
