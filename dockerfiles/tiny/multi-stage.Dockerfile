# The tiny scenario's multi-stage Dockerfile: a base stage, a "deps" stage that
# only depends on deps.txt, and a final stage with the code. A commit that
# contains a file named FAIL makes the last step fail on purpose.
FROM bench/busybox:latest AS base
RUN echo base > /base.txt

FROM base AS deps
COPY deps.txt /deps.txt
RUN sleep 1 && dd if=/dev/urandom of=/deps.bin bs=1024 count=1024 2>/dev/null && cat /deps.txt

FROM deps AS final
COPY . /app
RUN if [ -f /app/FAIL ]; then echo "FAIL marker present" >&2; exit 3; fi
CMD ["/app/app/main.sh"]
