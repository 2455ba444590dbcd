# optimized.Dockerfile: our answer to the cafeboo blog. Same base, same
# packages, same models, same command; the stages are arranged so that each
# kind of commit rebuilds only what it changed, and so that the slow steps run
# side by side. Use it with optimized.dockerignore as the context's
# .dockerignore.
#
# No `# syntax=` line: that would pull a frontend image from Docker Hub; the
# Dockerfile frontend built into BuildKit (buildx 0.13) knows COPY --link.
# No `RUN --mount=type=cache` either: a cache mount stays on the machine that
# ran the build and is not part of `--cache-to type=local`, so on a fresh
# hosted runner it would be empty every time. The layers themselves are what
# travels in the exported cache.

ARG BASE_IMAGE=python:3.12.7-slim

# base: OS + Python + curl/tar, as in the blog.
FROM ${BASE_IMAGE} AS base
WORKDIR /app
RUN apt-get update \
  && apt-get install -y curl tar \
  && rm -rf /var/lib/apt/lists/*

# models: FROM base, not FROM deps as in the blog. The download no longer
# depends on requirements.txt, so a dependency bump does not fetch 890 MB of
# models again, and since models and deps share nothing but base, BuildKit
# runs the download while pip installs. curl -f fails the build on an HTTP
# error instead of untarring an error page.
FROM base AS models
ARG MODEL_BASE_URL=https://storage.googleapis.com
WORKDIR /models
RUN curl -fL -o embedding_model.tar.gz ${MODEL_BASE_URL}/ai_model_cafeboo/embedding_model.tar.gz \
 && tar -xzf embedding_model.tar.gz \
 && rm embedding_model.tar.gz \
 && curl -fL -o best_model.pt ${MODEL_BASE_URL}/ai_model_cafeboo/moderation_model/best_model.pt

# deps: everything pip installs goes into one folder, the venv /opt/venv, so
# the final stage copies exactly that (the blog copied all of
# /usr/local/lib/python3.12 and /usr/local/bin, whatever else they held).
# The venv is made before requirements.txt is copied: that layer survives
# dependency bumps. PIP_INDEX_URL/PIP_TRUSTED_HOST (build args, read by pip
# from the environment) are declared just before the step that uses them.
FROM base AS deps
RUN python3 -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
ARG PIP_INDEX_URL
ARG PIP_TRUSTED_HOST
COPY ai_project/requirements.txt /tmp/requirements.txt
RUN pip install --no-cache-dir -r /tmp/requirements.txt

# final: FROM base (curl and tar are in it already, cached), then the parts
# from the least to the most often changed: models (never in the history),
# the venv (a third of the commits), the code (the rest). COPY --link makes
# each copied layer independent of the layers below it, so BuildKit reuses it
# and the registry already has its blob even when an earlier layer changed.
FROM base AS final
ENV PATH=/opt/venv/bin:$PATH
COPY --link --from=models /models /app/ai_project/models
COPY --link --from=deps /opt/venv /opt/venv
# Only the package is copied, not `.`: with optimized.dockerignore a commit
# that only touches .github/, README.md or other files outside ai_project/
# leaves this layer, and so the whole image, cached.
COPY --link ai_project/ /app/ai_project/

CMD ["uvicorn", "ai_project.main:app", "--host", "0.0.0.0", "--port", "8000", "--log-level", "debug"]
