"""The default engine: a static embedding model (model2vec format) committed in model/.

The model was distilled from all-MiniLM-L6-v2 by scripts/build_text_model.sh; see
model/PROVENANCE.md. A text's vector is the mean of its tokens' vectors (at most 512
tokens), so embedding is a table look-up: no torch, no network, no GPU.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from headway.text.engine import Matrix, check_texts, normalise_rows

MODEL_DIR = Path(__file__).resolve().parent / "model"
MODEL_FILES = ("config.json", "model.safetensors", "tokenizer.json")


class ModelNotFoundError(FileNotFoundError):
    """The committed model files are missing (a broken checkout or install)."""


class StaticEngine:
    """Embeds texts with the committed model2vec model; loads in well under a second."""

    name = "static"

    def __init__(self, path: Path | str = MODEL_DIR) -> None:
        folder = Path(path)
        missing = [name for name in MODEL_FILES if not (folder / name).is_file()]
        if missing:
            # model2vec treats a path that does not exist as a hub id and would try to
            # download it: never let it get that far.
            raise ModelNotFoundError(
                f"text model files missing in {folder}: {', '.join(missing)} "
                "(they are committed in headway/text/model/; scripts/build_text_model.sh rebuilds them)"
            )
        # Headway never downloads a model. Set before model2vec imports huggingface_hub,
        # which reads it once at import.
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
        from model2vec import StaticModel

        self.path = folder
        self._model = StaticModel.from_pretrained(folder, force_download=False)
        self.dim = int(self._model.dim)

    def embed(self, texts: Sequence[str]) -> Matrix:
        batch = check_texts(texts)
        if not batch:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._model.encode(batch, use_multiprocessing=False, show_progress_bar=False)
        # model2vec normalises in the model's float16; redo it in float32 so rows have
        # unit length to float32 precision. Texts with no known token stay all zeros.
        return normalise_rows(vectors)
