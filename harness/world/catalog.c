/*
 * world/catalog.c: the packages and model files of the emulated cafeboo world
 * (see catalog.h), as plain data.
 *
 * The list is what `pip freeze` of the cafeboo AI service would show on
 * Python 3.12 / x86_64 at the end of 2024: torch 2.5.1 with its CUDA 12.4
 * wheels, transformers, sentence-transformers, chromadb, langchain and the
 * Google Gemini clients, FastAPI. Sizes are those of the manylinux (or
 * py3-none-any) wheels on PyPI in MB (1e6 bytes), rounded. A package appears
 * once per version that some commit of the generated repository pins (see
 * repo.c: its test checks every pin against this table).
 */
#include "world/catalog.h"

#include <stddef.h>

static const struct catalog_pkg packages[] = {
	/* torch 2.5.1 and the CUDA 12.4 runtime wheels it pins */
	{ "torch", "2.5.1", 906.4 },
	{ "triton", "3.1.0", 209.5 },
	{ "nvidia-cudnn-cu12", "9.1.0.70", 664.8 },
	{ "nvidia-cublas-cu12", "12.4.5.8", 363.4 },
	{ "nvidia-cufft-cu12", "11.2.1.3", 211.5 },
	{ "nvidia-cusparse-cu12", "12.3.1.170", 207.5 },
	{ "nvidia-nccl-cu12", "2.21.5", 188.7 },
	{ "nvidia-cusolver-cu12", "11.6.1.9", 127.9 },
	{ "nvidia-curand-cu12", "10.3.5.147", 56.3 },
	{ "nvidia-cuda-nvrtc-cu12", "12.4.127", 24.6 },
	{ "nvidia-nvjitlink-cu12", "12.4.127", 21.1 },
	{ "nvidia-cuda-cupti-cu12", "12.4.127", 13.8 },
	{ "nvidia-cuda-runtime-cu12", "12.4.127", 0.88 },
	{ "nvidia-nvtx-cu12", "12.4.127", 0.099 },
	{ "sympy", "1.13.1", 6.2 },
	{ "mpmath", "1.3.0", 0.54 },
	{ "networkx", "3.4.2", 1.7 },
	{ "filelock", "3.16.1", 0.016 },
	{ "fsspec", "2024.10.0", 0.18 },
	{ "jinja2", "3.1.4", 0.13 },
	{ "markupsafe", "3.0.2", 0.023 },
	{ "typing-extensions", "4.12.2", 0.037 },

	/* Hugging Face and embeddings */
	{ "transformers", "4.46.2", 10.0 },
	{ "transformers", "4.46.3", 10.0 },
	{ "tokenizers", "0.20.3", 3.0 },
	{ "safetensors", "0.4.5", 0.43 },
	{ "huggingface-hub", "0.26.2", 0.45 },
	{ "sentence-transformers", "3.3.1", 0.27 },
	{ "regex", "2024.11.6", 0.80 },
	{ "tqdm", "4.67.1", 0.078 },
	{ "pyyaml", "6.0.2", 0.77 },
	{ "pillow", "11.0.0", 4.4 },
	{ "numpy", "2.1.3", 16.0 },
	{ "pandas", "2.2.3", 12.7 },
	{ "scikit-learn", "1.5.2", 12.9 },
	{ "scipy", "1.14.1", 41.2 },
	{ "joblib", "1.4.2", 0.30 },
	{ "threadpoolctl", "3.5.0", 0.018 },
	{ "python-dateutil", "2.9.0.post0", 0.23 },
	{ "pytz", "2024.2", 0.51 },
	{ "tzdata", "2024.2", 0.35 },
	{ "six", "1.16.0", 0.011 },

	/* vector store */
	{ "chromadb", "0.5.20", 0.62 },
	{ "chromadb", "0.5.23", 0.63 },
	{ "chroma-hnswlib", "0.7.6", 2.4 },
	{ "onnxruntime", "1.20.1", 13.3 },
	{ "coloredlogs", "15.0.1", 0.046 },
	{ "humanfriendly", "10.0", 0.086 },
	{ "flatbuffers", "24.3.25", 0.027 },
	{ "protobuf", "5.28.3", 0.32 },
	{ "bcrypt", "4.2.1", 0.27 },
	{ "mmh3", "5.0.1", 0.094 },
	{ "orjson", "3.10.12", 0.13 },
	{ "overrides", "7.7.0", 0.018 },
	{ "posthog", "3.7.4", 0.055 },
	{ "pypika", "0.48.9", 0.067 },
	{ "kubernetes", "31.0.0", 1.9 },
	{ "opentelemetry-api", "1.28.2", 0.064 },
	{ "opentelemetry-sdk", "1.28.2", 0.12 },
	{ "tenacity", "9.0.0", 0.028 },
	{ "typer", "0.13.1", 0.044 },
	{ "rich", "13.9.4", 0.24 },
	{ "pygments", "2.18.0", 1.2 },
	{ "grpcio", "1.68.1", 5.9 },

	/* LangChain and the Google Gemini clients */
	{ "langchain", "0.3.7", 1.0 },
	{ "langchain", "0.3.9", 1.0 },
	{ "langchain-core", "0.3.19", 0.41 },
	{ "langchain-core", "0.3.21", 0.41 },
	{ "langchain-community", "0.3.7", 2.4 },
	{ "langchain-community", "0.3.9", 2.5 },
	{ "langchain-text-splitters", "0.3.2", 0.025 },
	{ "langchain-google-genai", "2.0.6", 0.041 },
	{ "langsmith", "0.1.147", 0.31 },
	{ "jsonpatch", "1.33", 0.013 },
	{ "jsonpointer", "3.0.0", 0.008 },
	{ "sqlalchemy", "2.0.36", 3.2 },
	{ "greenlet", "3.1.1", 0.60 },
	{ "aiohttp", "3.11.10", 1.7 },
	{ "dataclasses-json", "0.6.7", 0.029 },
	{ "marshmallow", "3.23.1", 0.049 },
	{ "google-genai", "0.2.2", 0.12 },
	{ "google-generativeai", "0.8.3", 0.16 },
	{ "google-ai-generativelanguage", "0.6.10", 0.76 },
	{ "google-api-core", "2.23.0", 0.16 },
	{ "google-api-python-client", "2.154.0", 12.6 },
	{ "google-auth", "2.36.0", 0.21 },
	{ "googleapis-common-protos", "1.66.0", 0.22 },
	{ "proto-plus", "1.25.0", 0.050 },
	{ "websockets", "14.1", 0.17 },

	/* FastAPI and HTTP */
	{ "fastapi", "0.115.5", 0.094 },
	{ "fastapi", "0.115.6", 0.095 },
	{ "starlette", "0.41.3", 0.073 },
	{ "uvicorn", "0.32.0", 0.064 },
	{ "uvicorn", "0.32.1", 0.064 },
	{ "pydantic", "2.10.3", 0.46 },
	{ "pydantic-core", "2.27.1", 2.0 },
	{ "annotated-types", "0.7.0", 0.013 },
	{ "python-dotenv", "1.0.1", 0.020 },
	{ "python-multipart", "0.0.19", 0.024 },
	{ "httpx", "0.27.2", 0.076 },
	{ "httpcore", "1.0.7", 0.078 },
	{ "h11", "0.14.0", 0.058 },
	{ "anyio", "4.7.0", 0.093 },
	{ "sniffio", "1.3.1", 0.010 },
	{ "click", "8.1.7", 0.098 },
	{ "requests", "2.32.3", 0.064 },
	{ "urllib3", "2.2.3", 0.13 },
	{ "certifi", "2024.8.30", 0.17 },
	{ "idna", "3.10", 0.071 },
	{ "charset-normalizer", "3.4.0", 0.14 },
	{ "packaging", "24.2", 0.065 },
};

/* The two files the Dockerfiles curl from storage.googleapis.com: the
 * sentence-embedding model folder as a tarball and the fine-tuned moderation
 * classifier's weights. */
static const struct catalog_model models[] = {
	{ "ai_model_cafeboo/embedding_model.tar.gz", 450.0, 1 },
	{ "ai_model_cafeboo/moderation_model/best_model.pt", 440.0, 0 },
};

const struct catalog_pkg *catalog_packages(size_t *count)
{
	*count = sizeof(packages) / sizeof(packages[0]);
	return packages;
}

const struct catalog_model *catalog_models(size_t *count)
{
	*count = sizeof(models) / sizeof(models[0]);
	return models;
}
