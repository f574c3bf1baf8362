"""The default engine: a static embedding model committed in model/.

The model was distilled from all-MiniLM-L6-v2 by scripts/build_text_model.sh (with
model2vec, in a build-only environment); see model/PROVENANCE.md. A text's vector is
the mean of its tokens' vectors (at most 512 tokens), so embedding is a table look-up:
no torch, no network, no GPU. Reading the model needs only its tokenizer (the
`tokenizers` package) and its vectors (`safetensors`): importing model2vec's runtime
would cost each web worker about 35 MB more (docs/performance.md).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from headway.text.engine import Matrix, check_texts, normalise_rows

MODEL_DIR = Path(__file__).resolve().parent / "model"
MODEL_FILES = ("config.json", "model.safetensors", "tokenizer.json")


class ModelNotFoundError(FileNotFoundError):
    """The committed model files are missing (a broken checkout or install)."""


class StaticEngine:
    """Embeds texts with the committed static model; loads in well under a second."""

    name = "static"

    def __init__(self, path: Path | str = MODEL_DIR) -> None:
        folder = Path(path)
        missing = [name for name in MODEL_FILES if not (folder / name).is_file()]
        if missing:
            raise ModelNotFoundError(
                f"text model files missing in {folder}: {', '.join(missing)} "
                "(they are committed in headway/text/model/; scripts/build_text_model.sh rebuilds them)"
            )
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        self.path = folder
        config = json.loads((folder / "config.json").read_text())
        self._vectors = load_file(str(folder / "model.safetensors"))["embeddings"]
        self.dim = int(self._vectors.shape[1])
        self._max_tokens = int(config.get("max_length") or 512)
        self._normalise_in_model_dtype = bool(config.get("normalize"))
        self._tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(self._max_tokens)
        vocabulary = self._tokenizer.get_vocab()
        unknown = getattr(self._tokenizer.model, "unk_token", None)
        self._unknown_id = vocabulary.get(unknown) if unknown else None
        # Cut texts to this many characters before tokenising, as the model's own
        # runtime does: a long text costs no more than its first 512 tokens need.
        self._max_chars = self._max_tokens * int(np.median([len(t) for t in vocabulary]))

    def _token_ids(self, texts: Sequence[str]) -> list[list[int]]:
        encodings = self._tokenizer.encode_batch_fast(
            [text[: self._max_chars] for text in texts], add_special_tokens=False
        )
        return [[i for i in e.ids if i != self._unknown_id] for e in encodings]

    def embed(self, texts: Sequence[str]) -> Matrix:
        batch = check_texts(texts)
        if not batch:
            return np.zeros((0, self.dim), dtype=np.float32)
        ids = self._token_ids(batch)
        means = np.zeros((len(ids), self.dim), dtype=self._vectors.dtype)
        # Texts of the same token count are averaged together, one array operation each.
        by_length: dict[int, list[int]] = defaultdict(list)
        for row, token_ids in enumerate(ids):
            if token_ids:
                by_length[len(token_ids)].append(row)
        for rows in by_length.values():
            means[rows] = self._vectors[np.array([ids[r] for r in rows])].mean(axis=1)
        if self._normalise_in_model_dtype:
            # The model's own runtime scales to unit length and stores the result in the
            # model's float16; every calibrated threshold was measured on those vectors.
            wide = means.astype(np.float32)
            means = (wide / (np.linalg.norm(wide, axis=1, keepdims=True) + 1e-32)).astype(
                means.dtype
            )
        # Unit length to float32 precision. Texts with no known token stay all zeros.
        return normalise_rows(means)
