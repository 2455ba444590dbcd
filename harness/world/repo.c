/*
 * world/repo.c: generate the cafeboo AI service repository with libgit2 (see
 * repo.h). The history is data: the commit plan, the requirement pins with
 * the commit range each holds for, static file versions, and three files
 * made from the commit index (requirements.txt, main.py, deploy.yml). Blobs
 * go straight into the index (git_index_add_from_buffer), so the working
 * tree is only written once, by the final checkout of HEAD.
 */
#include "world/repo.h"
#include "lib/error.h"
#include "lib/util.h"

#include <git2.h>
#include <string.h>

#define NEVER 1000 /* "to" of a pin that is never replaced */

static const struct world_commit_plan plan[] = {
	/*  0 */ { "feat: initial FastAPI service with embedding search and moderation", WORLD_COMMIT_INITIAL },
	/*  1 */ { "feat: add chat router", WORLD_COMMIT_CODE },
	/*  2 */ { "chore(deps): bump transformers to 4.46.3", WORLD_COMMIT_REQS },
	/*  3 */ { "ci: build and push with docker buildx", WORLD_COMMIT_CI },
	/*  4 */ { "feat(moderation): load the moderation model once at startup", WORLD_COMMIT_CODE },
	/*  5 */ { "chore(data): update banned words list", WORLD_COMMIT_DATA },
	/*  6 */ { "build(deps): add langchain-google-genai for Gemini chat", WORLD_COMMIT_REQS },
	/*  7 */ { "feat: add Gemini-backed menu recommendation", WORLD_COMMIT_CODE },
	/*  8 */ { "ci: cache buildx layers", WORLD_COMMIT_CI },
	/*  9 */ { "chore(deps): bump fastapi to 0.115.6 and uvicorn to 0.32.1", WORLD_COMMIT_REQS },
	/* 10 */ { "fix(chat): answer politely when no document matches", WORLD_COMMIT_CODE },
	/* 11 */ { "chore(deps): bump chromadb to 0.5.23", WORLD_COMMIT_REQS },
	/* 12 */ { "ci: rotate the buildx cache so it stops growing", WORLD_COMMIT_CI },
	/* 13 */ { "refactor: move vector search into services/vector_store.py", WORLD_COMMIT_CODE },
	/* 14 */ { "chore(deps): bump langchain to 0.3.9", WORLD_COMMIT_REQS },
};
#define NCOMMITS (sizeof(plan) / sizeof(plan[0]))

/* requirements.txt is a pip freeze: name==version, sorted; each pin holds
 * for commits from <= i < to. Every name/version is in catalog.c. */
struct pin {
	const char *name, *version;
	int from, to;
};

static const struct pin pins[] = {
	{ "aiohttp", "3.11.10", 0, NEVER },
	{ "annotated-types", "0.7.0", 0, NEVER },
	{ "anyio", "4.7.0", 0, NEVER },
	{ "bcrypt", "4.2.1", 0, NEVER },
	{ "certifi", "2024.8.30", 0, NEVER },
	{ "charset-normalizer", "3.4.0", 0, NEVER },
	{ "chroma-hnswlib", "0.7.6", 0, NEVER },
	{ "chromadb", "0.5.20", 0, 11 },
	{ "chromadb", "0.5.23", 11, NEVER },
	{ "click", "8.1.7", 0, NEVER },
	{ "coloredlogs", "15.0.1", 0, NEVER },
	{ "dataclasses-json", "0.6.7", 0, NEVER },
	{ "fastapi", "0.115.5", 0, 9 },
	{ "fastapi", "0.115.6", 9, NEVER },
	{ "filelock", "3.16.1", 0, NEVER },
	{ "flatbuffers", "24.3.25", 0, NEVER },
	{ "fsspec", "2024.10.0", 0, NEVER },
	{ "google-ai-generativelanguage", "0.6.10", 6, NEVER },
	{ "google-api-core", "2.23.0", 6, NEVER },
	{ "google-api-python-client", "2.154.0", 6, NEVER },
	{ "google-auth", "2.36.0", 0, NEVER },
	{ "google-genai", "0.2.2", 0, NEVER },
	{ "google-generativeai", "0.8.3", 6, NEVER },
	{ "googleapis-common-protos", "1.66.0", 6, NEVER },
	{ "greenlet", "3.1.1", 0, NEVER },
	{ "grpcio", "1.68.1", 0, NEVER },
	{ "h11", "0.14.0", 0, NEVER },
	{ "httpcore", "1.0.7", 0, NEVER },
	{ "httpx", "0.27.2", 0, NEVER },
	{ "huggingface-hub", "0.26.2", 0, NEVER },
	{ "humanfriendly", "10.0", 0, NEVER },
	{ "idna", "3.10", 0, NEVER },
	{ "jinja2", "3.1.4", 0, NEVER },
	{ "joblib", "1.4.2", 0, NEVER },
	{ "jsonpatch", "1.33", 0, NEVER },
	{ "jsonpointer", "3.0.0", 0, NEVER },
	{ "kubernetes", "31.0.0", 0, NEVER },
	{ "langchain", "0.3.7", 0, 14 },
	{ "langchain", "0.3.9", 14, NEVER },
	{ "langchain-community", "0.3.7", 0, 14 },
	{ "langchain-community", "0.3.9", 14, NEVER },
	{ "langchain-core", "0.3.19", 0, 14 },
	{ "langchain-core", "0.3.21", 14, NEVER },
	{ "langchain-google-genai", "2.0.6", 6, NEVER },
	{ "langchain-text-splitters", "0.3.2", 0, NEVER },
	{ "langsmith", "0.1.147", 0, NEVER },
	{ "markupsafe", "3.0.2", 0, NEVER },
	{ "marshmallow", "3.23.1", 0, NEVER },
	{ "mmh3", "5.0.1", 0, NEVER },
	{ "mpmath", "1.3.0", 0, NEVER },
	{ "networkx", "3.4.2", 0, NEVER },
	{ "numpy", "2.1.3", 0, NEVER },
	{ "nvidia-cublas-cu12", "12.4.5.8", 0, NEVER },
	{ "nvidia-cuda-cupti-cu12", "12.4.127", 0, NEVER },
	{ "nvidia-cuda-nvrtc-cu12", "12.4.127", 0, NEVER },
	{ "nvidia-cuda-runtime-cu12", "12.4.127", 0, NEVER },
	{ "nvidia-cudnn-cu12", "9.1.0.70", 0, NEVER },
	{ "nvidia-cufft-cu12", "11.2.1.3", 0, NEVER },
	{ "nvidia-curand-cu12", "10.3.5.147", 0, NEVER },
	{ "nvidia-cusolver-cu12", "11.6.1.9", 0, NEVER },
	{ "nvidia-cusparse-cu12", "12.3.1.170", 0, NEVER },
	{ "nvidia-nccl-cu12", "2.21.5", 0, NEVER },
	{ "nvidia-nvjitlink-cu12", "12.4.127", 0, NEVER },
	{ "nvidia-nvtx-cu12", "12.4.127", 0, NEVER },
	{ "onnxruntime", "1.20.1", 0, NEVER },
	{ "opentelemetry-api", "1.28.2", 0, NEVER },
	{ "opentelemetry-sdk", "1.28.2", 0, NEVER },
	{ "orjson", "3.10.12", 0, NEVER },
	{ "overrides", "7.7.0", 0, NEVER },
	{ "packaging", "24.2", 0, NEVER },
	{ "pandas", "2.2.3", 0, NEVER },
	{ "pillow", "11.0.0", 0, NEVER },
	{ "posthog", "3.7.4", 0, NEVER },
	{ "proto-plus", "1.25.0", 6, NEVER },
	{ "protobuf", "5.28.3", 0, NEVER },
	{ "pydantic", "2.10.3", 0, NEVER },
	{ "pydantic-core", "2.27.1", 0, NEVER },
	{ "pygments", "2.18.0", 0, NEVER },
	{ "pypika", "0.48.9", 0, NEVER },
	{ "python-dateutil", "2.9.0.post0", 0, NEVER },
	{ "python-dotenv", "1.0.1", 0, NEVER },
	{ "python-multipart", "0.0.19", 0, NEVER },
	{ "pytz", "2024.2", 0, NEVER },
	{ "pyyaml", "6.0.2", 0, NEVER },
	{ "regex", "2024.11.6", 0, NEVER },
	{ "requests", "2.32.3", 0, NEVER },
	{ "rich", "13.9.4", 0, NEVER },
	{ "safetensors", "0.4.5", 0, NEVER },
	{ "scikit-learn", "1.5.2", 0, NEVER },
	{ "scipy", "1.14.1", 0, NEVER },
	{ "sentence-transformers", "3.3.1", 0, NEVER },
	{ "six", "1.16.0", 0, NEVER },
	{ "sniffio", "1.3.1", 0, NEVER },
	{ "sqlalchemy", "2.0.36", 0, NEVER },
	{ "starlette", "0.41.3", 0, NEVER },
	{ "sympy", "1.13.1", 0, NEVER },
	{ "tenacity", "9.0.0", 0, NEVER },
	{ "threadpoolctl", "3.5.0", 0, NEVER },
	{ "tokenizers", "0.20.3", 0, NEVER },
	{ "torch", "2.5.1", 0, NEVER },
	{ "tqdm", "4.67.1", 0, NEVER },
	{ "transformers", "4.46.2", 0, 2 },
	{ "transformers", "4.46.3", 2, NEVER },
	{ "triton", "3.1.0", 0, NEVER },
	{ "typer", "0.13.1", 0, NEVER },
	{ "typing-extensions", "4.12.2", 0, NEVER },
	{ "tzdata", "2024.2", 0, NEVER },
	{ "urllib3", "2.2.3", 0, NEVER },
	{ "uvicorn", "0.32.0", 0, 9 },
	{ "uvicorn", "0.32.1", 9, NEVER },
	{ "websockets", "14.1", 0, NEVER },
};

/* A file's content from commit `from` on (until a later version of it). */
struct file_version {
	const char *path;
	int from;
	const char *text;
};

static const struct file_version files[] = {
	{ "README.md", 0,
	  "# cafeboo-ai\n\n"
	  "AI server of Cafeboo: embedding search over cafe reviews, chat, and\n"
	  "message moderation, served with FastAPI.\n\n"
	  "## Run locally\n\n"
	  "    pip install -r ai_project/requirements.txt\n"
	  "    uvicorn ai_project.main:app --reload\n\n"
	  "The models are too large for GitHub: the Docker build downloads them\n"
	  "from Cloud Storage into `ai_project/models/`.\n" },
	{ ".gitignore", 0,
	  "__pycache__/\n*.pyc\n.env\n.venv/\nai_project/models/*\n!ai_project/models/.gitkeep\n" },
	{ "ai_project/__init__.py", 0, "" },
	{ "ai_project/models/.gitkeep", 0, "" },
	{ "ai_project/routers/__init__.py", 0, "" },
	{ "ai_project/services/__init__.py", 0, "" },
	{ "ai_project/data/banned_words.txt", 0,
	  "# one word per line; matched case-insensitively after NFKC\n"
	  "badword\nscam\nspam-link\n" },
	{ "ai_project/data/banned_words.txt", 5,
	  "# one word per line; matched case-insensitively after NFKC\n"
	  "badword\nfree-coupon-click\nscam\nspam-link\nwire-me\n" },
	{ "ai_project/routers/moderation.py", 0,
	  "from fastapi import APIRouter\nfrom pydantic import BaseModel\n\n"
	  "from ai_project.services import moderation\n\n"
	  "router = APIRouter(tags=[\"moderation\"])\n\n\n"
	  "class ModerationRequest(BaseModel):\n    user_id: str\n    message: str\n\n\n"
	  "@router.post(\"/moderation\")\ndef moderate(req: ModerationRequest):\n"
	  "    return moderation.check(req.message)\n" },
	{ "ai_project/services/moderation.py", 0,
	  "\"\"\"Moderation: banned words first, then the fine-tuned classifier.\"\"\"\n"
	  "from pathlib import Path\n\nimport torch\n\n"
	  "BASE = Path(__file__).resolve().parent.parent\n"
	  "BANNED = {w.strip().lower() for w in (BASE / \"data\" / \"banned_words.txt\").read_text().splitlines()\n"
	  "          if w.strip() and not w.startswith(\"#\")}\n\n\n"
	  "def check(message: str) -> dict:\n"
	  "    if any(w in message.lower() for w in BANNED):\n"
	  "        return {\"allowed\": False, \"reason\": \"banned_word\"}\n"
	  "    model = torch.load(BASE / \"models\" / \"best_model.pt\", map_location=\"cpu\")\n"
	  "    score = float(model(message)) if callable(model) else 0.0\n"
	  "    return {\"allowed\": score < 0.5, \"score\": score}\n" },
	{ "ai_project/services/moderation.py", 4,
	  "\"\"\"Moderation: banned words first, then the fine-tuned classifier.\"\"\"\n"
	  "from pathlib import Path\n\nimport torch\n\n"
	  "BASE = Path(__file__).resolve().parent.parent\n"
	  "BANNED = {w.strip().lower() for w in (BASE / \"data\" / \"banned_words.txt\").read_text().splitlines()\n"
	  "          if w.strip() and not w.startswith(\"#\")}\n"
	  "_model = None\n\n\n"
	  "def load() -> None:\n    global _model\n"
	  "    _model = torch.load(BASE / \"models\" / \"best_model.pt\", map_location=\"cpu\")\n\n\n"
	  "def check(message: str) -> dict:\n"
	  "    if any(w in message.lower() for w in BANNED):\n"
	  "        return {\"allowed\": False, \"reason\": \"banned_word\"}\n"
	  "    score = float(_model(message)) if callable(_model) else 0.0\n"
	  "    return {\"allowed\": score < 0.5, \"score\": score}\n" },
	{ "ai_project/services/embedding.py", 0,
	  "\"\"\"Embedding search over cafe reviews (sentence-transformers + chromadb).\"\"\"\n"
	  "from functools import lru_cache\nfrom pathlib import Path\n\n"
	  "import chromadb\nfrom sentence_transformers import SentenceTransformer\n\n"
	  "MODEL_DIR = Path(__file__).resolve().parent.parent / \"models\" / \"embedding_model\"\n\n\n"
	  "@lru_cache\ndef _model() -> SentenceTransformer:\n    return SentenceTransformer(str(MODEL_DIR))\n\n\n"
	  "@lru_cache\ndef _collection():\n"
	  "    return chromadb.PersistentClient(path=\"/tmp/chroma\").get_or_create_collection(\"reviews\")\n\n\n"
	  "def search(text: str, k: int = 3) -> list[dict]:\n"
	  "    vec = _model().encode([text]).tolist()\n"
	  "    res = _collection().query(query_embeddings=vec, n_results=k)\n"
	  "    return [{\"text\": d, \"id\": i} for d, i in zip(res[\"documents\"][0], res[\"ids\"][0])]\n" },
	{ "ai_project/services/embedding.py", 13,
	  "\"\"\"Sentence embeddings of the Korean review model.\"\"\"\n"
	  "from functools import lru_cache\nfrom pathlib import Path\n\n"
	  "from sentence_transformers import SentenceTransformer\n\n"
	  "MODEL_DIR = Path(__file__).resolve().parent.parent / \"models\" / \"embedding_model\"\n\n\n"
	  "@lru_cache\ndef _model() -> SentenceTransformer:\n    return SentenceTransformer(str(MODEL_DIR))\n\n\n"
	  "def encode(texts: list[str]) -> list[list[float]]:\n"
	  "    return _model().encode(texts).tolist()\n\n\n"
	  "def search(text: str, k: int = 3) -> list[dict]:\n"
	  "    from ai_project.services import vector_store\n\n"
	  "    return vector_store.query(encode([text]), k)\n" },
	{ "ai_project/services/vector_store.py", 13,
	  "\"\"\"The chromadb collection of review embeddings.\"\"\"\n"
	  "from functools import lru_cache\nimport os\n\nimport chromadb\n\n\n"
	  "@lru_cache\ndef _collection():\n"
	  "    client = chromadb.PersistentClient(path=os.getenv(\"CHROMA_PATH\", \"/tmp/chroma\"))\n"
	  "    return client.get_or_create_collection(\"reviews\")\n\n\n"
	  "def query(vectors: list[list[float]], k: int) -> list[dict]:\n"
	  "    res = _collection().query(query_embeddings=vectors, n_results=k)\n"
	  "    return [{\"text\": d, \"id\": i} for d, i in zip(res[\"documents\"][0], res[\"ids\"][0])]\n" },
	{ "ai_project/routers/chat.py", 1,
	  "from fastapi import APIRouter\nfrom pydantic import BaseModel\n\n"
	  "from ai_project.services import embedding\n\n"
	  "router = APIRouter(tags=[\"chat\"])\n\n\n"
	  "class ChatRequest(BaseModel):\n    user_id: str\n    message: str\n    history: list[str] = []\n\n\n"
	  "@router.post(\"/chat\")\ndef chat(req: ChatRequest):\n"
	  "    docs = embedding.search(req.message, k=3)\n"
	  "    return {\"answer\": docs[0][\"text\"], \"sources\": docs, \"turns\": len(req.history) + 1}\n" },
	{ "ai_project/routers/chat.py", 10,
	  "from fastapi import APIRouter\nfrom pydantic import BaseModel\n\n"
	  "from ai_project.services import embedding\n\n"
	  "router = APIRouter(tags=[\"chat\"])\n"
	  "NO_MATCH = \"아직 관련된 카페 정보를 찾지 못했어요.\"\n\n\n"
	  "class ChatRequest(BaseModel):\n    user_id: str\n    message: str\n    history: list[str] = []\n\n\n"
	  "@router.post(\"/chat\")\ndef chat(req: ChatRequest):\n"
	  "    docs = embedding.search(req.message, k=3)\n"
	  "    answer = docs[0][\"text\"] if docs else NO_MATCH\n"
	  "    return {\"answer\": answer, \"sources\": docs, \"turns\": len(req.history) + 1}\n" },
	{ "ai_project/services/gemini.py", 7,
	  "\"\"\"Menu recommendation with Gemini through langchain-google-genai.\"\"\"\n"
	  "import os\n\nfrom langchain_google_genai import ChatGoogleGenerativeAI\n\n"
	  "_llm = None\n\n\n"
	  "def recommend(mood: str, menu: list[str]) -> str:\n    global _llm\n"
	  "    if _llm is None:\n"
	  "        _llm = ChatGoogleGenerativeAI(model=\"gemini-1.5-flash\", api_key=os.environ[\"GEMINI_API_KEY\"])\n"
	  "    prompt = f\"Pick one drink for someone feeling {mood} from: {', '.join(menu)}\"\n"
	  "    return _llm.invoke(prompt).content\n" },
	{ "ai_project/routers/recommend.py", 7,
	  "from fastapi import APIRouter\nfrom pydantic import BaseModel\n\n"
	  "from ai_project.services import gemini\n\n"
	  "router = APIRouter(tags=[\"recommend\"])\n\n\n"
	  "class RecommendRequest(BaseModel):\n    mood: str\n    menu: list[str]\n\n\n"
	  "@router.post(\"/recommend\")\ndef recommend(req: RecommendRequest):\n"
	  "    return {\"drink\": gemini.recommend(req.mood, req.menu)}\n" },
};

static char *make_requirements(size_t commit)
{
	struct strbuf sb = { 0 };
	size_t i;

	for (i = 0; i < sizeof(pins) / sizeof(pins[0]); i++)
		if (pins[i].from <= (int)commit && (int)commit < pins[i].to)
			strbuf_printf(&sb, "%s==%s\n", pins[i].name, pins[i].version);
	return strbuf_detach(&sb);
}

/* main.py grows with the routers: chat (1), model loaded at startup (4),
 * recommend (7). */
static char *make_main(size_t c)
{
	struct strbuf sb = { 0 };

	strbuf_puts(&sb, "\"\"\"Cafeboo AI service: embedding search, chat and moderation.\"\"\"\n");
	if (c >= 4)
		strbuf_puts(&sb, "from contextlib import asynccontextmanager\n\n");
	strbuf_puts(&sb, "from dotenv import load_dotenv\nfrom fastapi import FastAPI\n\n");
	strbuf_printf(&sb, "from ai_project.routers import %s\n",
		      c >= 7 ? "chat, moderation, recommend" : c >= 1 ? "chat, moderation" : "moderation");
	if (c >= 4)
		strbuf_puts(&sb, "from ai_project.services import moderation as moderation_service\n");
	strbuf_puts(&sb, "\nload_dotenv()\n\n");
	if (c >= 4)
		strbuf_puts(&sb, "\n@asynccontextmanager\nasync def lifespan(app: FastAPI):\n"
			    "    moderation_service.load()\n    yield\n\n\n"
			    "app = FastAPI(title=\"cafeboo-ai\", version=\"0.2.0\", lifespan=lifespan)\n");
	else
		strbuf_puts(&sb, "app = FastAPI(title=\"cafeboo-ai\", version=\"0.1.0\")\n");
	strbuf_puts(&sb, "app.include_router(moderation.router, prefix=\"/ai\")\n");
	if (c >= 1)
		strbuf_puts(&sb, "app.include_router(chat.router, prefix=\"/ai\")\n");
	if (c >= 7)
		strbuf_puts(&sb, "app.include_router(recommend.router, prefix=\"/ai\")\n");
	strbuf_puts(&sb, "\n\n@app.get(\"/health\")\ndef health():\n    return {\"status\": \"ok\"}\n");
	return strbuf_detach(&sb);
}

/* deploy.yml tells the blog's story: plain docker build (0), buildx (3),
 * buildx with a local cache kept by actions/cache (8, the blog's workflow),
 * the cache folder rotated after the build (12). */
static char *make_workflow(size_t c)
{
	struct strbuf sb = { 0 };
	const char *image = "${REGION}-docker.pkg.dev/${PROJECT_ID}/ai/cafeboo-ai:${{ github.sha }}";

	strbuf_puts(&sb,
		"name: Deploy AI server\n\non:\n  push:\n    branches: [ main ]\n\n"
		"env:\n  REGION: asia-northeast3\n  PROJECT_ID: ${{ secrets.GCP_PROJECT_ID }}\n\n"
		"jobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n"
		"      - name: Checkout\n        uses: actions/checkout@v4\n\n"
		"      - name: Authenticate to Google Cloud\n        uses: google-github-actions/auth@v2\n"
		"        with:\n          credentials_json: ${{ secrets.GCP_SA_KEY }}\n\n"
		"      - name: Configure Docker for Artifact Registry\n"
		"        run: gcloud auth configure-docker ${REGION}-docker.pkg.dev --quiet\n\n");
	if (c >= 3)
		strbuf_puts(&sb, "      # BuildKit 기반 buildx 설정\n"
			    "      - name: Set up QEMU Buildx\n        uses: docker/setup-buildx-action@v2\n\n");
	if (c >= 8)
		strbuf_puts(&sb, "      # Buildx 캐시 디렉토리 설정\n"
			    "      - name: Cache Buildx\n        uses: actions/cache@v3\n        with:\n"
			    "          path: /tmp/.buildx-cache\n"
			    "          key: ${{ runner.os }}-buildx-${{ github.sha }}\n"
			    "          restore-keys: |\n            ${{ runner.os }}-buildx-\n\n"
			    "      # 빌드 시 BuildKit 캐시 적용\n");
	strbuf_puts(&sb, "      - name: Build & Push Docker Image\n        run: |\n");
	if (c < 3)
		strbuf_printf(&sb, "          docker build -t %s .\n          docker push %s\n\n", image, image);
	else
		strbuf_printf(&sb, "          docker buildx build \\\n            --push \\\n%s            -t %s .\n\n",
			      c >= 8 ? "            --cache-from=type=local,src=/tmp/.buildx-cache \\\n"
				       "            --cache-to=type=local,dest=/tmp/.buildx-cache-new,mode=max \\\n" : "",
			      image);
	if (c >= 12)
		strbuf_puts(&sb, "      # cache-to writes a new folder; replace the old one so the cache does not grow forever\n"
			    "      - name: Move Buildx cache\n        run: |\n"
			    "          rm -rf /tmp/.buildx-cache\n"
			    "          mv /tmp/.buildx-cache-new /tmp/.buildx-cache\n\n");
	strbuf_printf(&sb,
		"      - name: Deploy to GCE\n"
		"        run: |\n"
		"          gcloud compute ssh cafeboo-ai --zone ${REGION}-a --command \\\n"
		"            \"docker pull %s && docker rm -f cafeboo-ai; docker run -d --name cafeboo-ai -p 8000:8000 %s\"\n",
		image, image);
	return strbuf_detach(&sb);
}

static int git_fail(const char *what)
{
	const git_error *e = git_error_last();

	return bench_error_set(BENCH_ERROR, "%s: %s", what, e && e->message ? e->message : "libgit2 error");
}

static int index_put(git_index *idx, const char *path, const char *text)
{
	git_index_entry e;

	memset(&e, 0, sizeof(e));
	e.path = path;
	e.mode = GIT_FILEMODE_BLOB;
	if (git_index_add_from_buffer(idx, &e, text, strlen(text)) < 0)
		return git_fail(path);
	return 0;
}

/* Stage the tree of commit c on top of the previous commit's index. */
static int stage_commit(git_index *idx, size_t c)
{
	char *gen[3] = { make_requirements(c), make_main(c), make_workflow(c) };
	int rc = 0;
	size_t i;

	if ((rc = index_put(idx, world_repo_requirements_path(), gen[0])) < 0 ||
	    (rc = index_put(idx, "ai_project/main.py", gen[1])) < 0 ||
	    (rc = index_put(idx, ".github/workflows/deploy.yml", gen[2])) < 0)
		goto done;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (files[i].from == (int)c && (rc = index_put(idx, files[i].path, files[i].text)) < 0)
			goto done;
done:
	for (i = 0; i < 3; i++)
		free(gen[i]);
	return rc;
}

static const struct { const char *name, *email; } authors[] = {
	{ "Jiwoo Kim", "jiwoo.kim@cafeboo.dev" },
	{ "Minseo Lee", "minseo.lee@cafeboo.dev" },
	{ "Dohyun Park", "dohyun.park@cafeboo.dev" },
};

/* Commit times: from 2024-11-18 10:00 KST, 3 to 23 hours apart, the gaps
 * drawn from the seed (a fixed LCG, the same on every machine). */
static git_time_t commit_time(unsigned seed, size_t c)
{
	uint32_t x = seed * 2654435761u + 12345u;
	git_time_t t = 1731891600; /* 2024-11-18T01:00:00Z */
	size_t i;

	for (i = 0; i < c; i++) {
		x = x * 1664525u + 1013904223u;
		t += 3 * 3600 + (git_time_t)((x >> 8) % (20 * 3600));
	}
	return t;
}

int world_repo_generate(const char *dir, unsigned seed)
{
	git_repository_init_options opts;
	git_checkout_options co;
	git_repository *repo = NULL;
	git_index *idx = NULL;
	git_oid head, tree_id;
	char *gitdir = path_join(dir, ".git");
	size_t c;
	int rc = 0;

	git_libgit2_init();
	git_repository_init_options_init(&opts, GIT_REPOSITORY_INIT_OPTIONS_VERSION);
	git_checkout_options_init(&co, GIT_CHECKOUT_OPTIONS_VERSION);
	if (path_exists(gitdir)) {
		rc = bench_error_set(BENCH_EINVALID, "cannot generate the cafeboo repository in '%s': "
				     "it holds a repository already", dir);
		goto done;
	}
	opts.flags = GIT_REPOSITORY_INIT_MKPATH;
	opts.initial_head = "main";
	if (git_repository_init_ext(&repo, dir, &opts) < 0) {
		rc = git_fail(dir);
		goto done;
	}
	if (git_repository_index(&idx, repo) < 0) {
		rc = git_fail("cannot open the index");
		goto done;
	}
	for (c = 0; c < NCOMMITS; c++) {
		git_signature *sig = NULL;
		git_tree *tree = NULL;
		git_commit *parent = NULL;
		char *msg = xasprintf("%s\n", plan[c].subject);
		size_t a = c % (sizeof(authors) / sizeof(authors[0]));

		if ((rc = stage_commit(idx, c)) < 0)
			goto next;
		if (git_index_write_tree(&tree_id, idx) < 0 || git_tree_lookup(&tree, repo, &tree_id) < 0 ||
		    git_signature_new(&sig, authors[a].name, authors[a].email, commit_time(seed, c), 9 * 60) < 0 ||
		    (c > 0 && git_commit_lookup(&parent, repo, &head) < 0) ||
		    git_commit_create(&head, repo, "HEAD", sig, sig, NULL, msg, tree, c > 0 ? 1 : 0,
				      (const git_commit **)&parent) < 0)
			rc = git_fail(plan[c].subject);
next:
		git_commit_free(parent);
		git_tree_free(tree);
		git_signature_free(sig);
		free(msg);
		if (rc < 0)
			goto done;
	}
	if (git_index_write(idx) < 0) {
		rc = git_fail("cannot write the index");
		goto done;
	}
	co.checkout_strategy = GIT_CHECKOUT_FORCE;
	if (git_checkout_head(repo, &co) < 0)
		rc = git_fail("cannot check out the generated HEAD");
done:
	git_index_free(idx);
	git_repository_free(repo);
	git_libgit2_shutdown();
	free(gitdir);
	return rc;
}

const struct world_commit_plan *world_repo_plan(size_t *n)
{
	*n = NCOMMITS;
	return plan;
}

const char *world_commit_kind_name(enum world_commit_kind kind)
{
	switch (kind) {
	case WORLD_COMMIT_INITIAL: return "initial";
	case WORLD_COMMIT_REQS: return "reqs";
	case WORLD_COMMIT_CODE: return "code";
	case WORLD_COMMIT_CI: return "ci";
	case WORLD_COMMIT_DATA: return "data";
	}
	return "?";
}

const char *world_repo_requirements_path(void)
{
	return "ai_project/requirements.txt";
}
